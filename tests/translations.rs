//! Every string the UI shows goes through @tr() and has a non-empty Traditional and
//! Simplified Chinese translation (English is the source text). A string added to ui/
//! without translations fails here.
use std::collections::BTreeSet;
use std::path::Path;

fn tr_strings(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tr_strings(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(start) = rest.find("@tr(\"") {
                rest = &rest[start + 5..];
                let mut s = String::new();
                let mut chars = rest.char_indices();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                s.push(n);
                            }
                        }
                        '"' => {
                            rest = &rest[i + 1..];
                            break;
                        }
                        c => s.push(c),
                    }
                }
                out.insert(s);
            }
        }
    }
}

/// msgid → msgstr of a .po file (single-line entries, as ours are written).
fn catalogue(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let unquote = |l: &str| {
        l.trim()
            .trim_matches('"')
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    };
    let mut entries = Vec::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgid ") {
            id = Some(unquote(rest));
        } else if let Some(rest) = line.strip_prefix("msgstr ")
            && let Some(id) = id.take().filter(|id| !id.is_empty())
        {
            entries.push((id, unquote(rest)));
        }
    }
    entries
}

#[test]
fn every_ui_string_is_translated_into_both_chinese_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut strings = BTreeSet::new();
    tr_strings(&root, &mut strings);
    assert!(
        strings.len() > 20,
        "found only {} @tr strings",
        strings.len()
    );
    for lang in ["zh-Hant", "zh-Hans"] {
        let po = root.join(format!("lang/{lang}/LC_MESSAGES/member-kiosk.po"));
        let entries = catalogue(&po);
        for s in &strings {
            let translated = entries.iter().find(|(id, _)| id == s).map(|(_, t)| t);
            match translated {
                Some(t) if !t.trim().is_empty() => {
                    assert_eq!(
                        s.matches("{}").count(),
                        t.matches("{}").count(),
                        "{lang}: placeholders differ for {s:?}"
                    );
                }
                _ => panic!("{lang}: no translation for {s:?}"),
            }
        }
        for (id, _) in &entries {
            assert!(strings.contains(id), "{lang}: stale translation for {id:?}");
        }
    }
}

#[test]
fn user_facing_text_in_slint_files_goes_through_tr() {
    // A `text:` bound to a bare string literal would bypass translation. Digits, symbols
    // and language names written in their own script are deliberate exceptions.
    let allowed = ["C", "⌫", "✓", "−", "+", "␣", "繁", "简", "EN", ""];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "slint") {
                continue;
            }
            for (n, line) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
                let line = line.trim();
                for key in ["text:", "label:"] {
                    if let Some(value) = line.strip_prefix(key) {
                        let value = value.trim().trim_end_matches(';').trim();
                        if let Some(literal) =
                            value.strip_prefix('"').and_then(|v| v.strip_suffix('"'))
                        {
                            assert!(
                                allowed.contains(&literal)
                                    || literal.chars().all(|c| c.is_ascii_digit()),
                                "{}:{}: untranslated text {literal:?}",
                                path.display(),
                                n + 1
                            );
                        }
                    }
                }
            }
        }
    }
}
