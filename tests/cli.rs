//! The command line as an operator uses it: --version, check-config with good and bad
//! files, and stats over recorded sign-up timings.
use std::process::Command;

use member_kiosk::domain::timing::SignupTiming;
use member_kiosk::store::Store;

fn kiosk() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_member-kiosk"));
    cmd.env_remove("STATE_DIRECTORY").env("RUST_LOG", "warn");
    cmd
}

#[test]
fn version_is_printed() {
    let out = kiosk().arg("--version").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("member-kiosk {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn check_config_accepts_a_good_file_and_names_the_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[kiosk]\nstore_name = \"Tea House\"\ndefault_region = \"TW\"\n",
    )
    .unwrap();
    let out = kiosk()
        .args(["check-config", "--config"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("configuration OK"), "{stdout}");
    assert!(stdout.contains("default_region = \"TW\""), "{stdout}");

    for (text, key) in [
        ("[kiosk]\nidle_timout_secs = 30\n", "idle_timout_secs"),
        (
            "[kiosk]\nidle_timeout_secs = 0\n",
            "kiosk.idle_timeout_secs",
        ),
        ("[kiosk]\nlanguage = \"fr\"\n", "language"),
        ("[kiosk\n", "invalid configuration file"),
    ] {
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, text).unwrap();
        let out = kiosk()
            .args(["check-config", "--config"])
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{text:?} must be refused");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(key), "{text:?}: {stderr}");
    }

    // A plain-text staff PIN is refused with the command that makes a hash.
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, "[staff]\npin = \"975310\"\n").unwrap();
    let out = kiosk()
        .args(["check-config", "--config"])
        .arg(&plain)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("staff.pin") && stderr.contains("member-kiosk hash-pin"),
        "{stderr}"
    );

    // Secrets are never printed.
    let hash = member_kiosk::domain::staff::pin::hash("975310", &[9; 16]).unwrap();
    let secret = dir.path().join("secret.toml");
    std::fs::write(
        &secret,
        format!("[[staff.members]]\nid = \"amy\"\nname = \"Amy\"\npin_hash = \"{hash}\"\n[crm]\nurl = \"https://crm.example.com/k\"\nkiosk_id = \"k1\"\ntoken = \"tok-SECRET-42\"\n"),
    )
    .unwrap();
    let out = kiosk()
        .args(["check-config", "--config"])
        .arg(&secret)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains(&hash) && !stdout.contains("tok-SECRET-42"),
        "{stdout}"
    );
    assert!(stdout.contains("(hidden)"), "{stdout}");

    let missing = kiosk()
        .args(["check-config", "--config", "/nonexistent/kiosk.toml"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("/nonexistent/kiosk.toml")
    );
}

#[test]
fn hash_pin_makes_a_hash_the_kiosk_accepts_and_refuses_short_pins() {
    use std::io::Write;
    let run = |input: &str| {
        let mut child = kiosk()
            .arg("hash-pin")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("24681357\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("24681357"));
    assert!(member_kiosk::domain::staff::pin::verify("24681357", &hash));
    // The kiosk takes it in its config.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("staff.toml");
    std::fs::write(
        &config,
        format!("[[staff.members]]\nid = \"amy\"\nname = \"Amy\"\npin_hash = \"{hash}\"\n"),
    )
    .unwrap();
    let check = kiosk()
        .args(["check-config", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    for short in ["2468\n", "24681a\n", "\n"] {
        let out = run(short);
        assert!(!out.status.success(), "{short:?} accepted");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("6 to 12 digits"), "{stderr}");
    }
}

#[test]
fn stats_prints_median_and_p95_of_the_period() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(&dir.path().join("kiosk.db")).unwrap();
        for i in 0..20u64 {
            let timing = SignupTiming {
                touch_to_valid_ms: 3_000,
                valid_to_join_ms: 400,
                join_to_welcome_ms: 10 + i,
            };
            store
                .record_signup_timing_at(&timing, false, "2026-11-10T12:00:00Z")
                .unwrap();
        }
        // Outside the period: must not count.
        let slow = SignupTiming {
            touch_to_valid_ms: 60_000,
            valid_to_join_ms: 0,
            join_to_welcome_ms: 5_000,
        };
        store
            .record_signup_timing_at(&slow, false, "2026-10-01T12:00:00Z")
            .unwrap();
    }
    let out = kiosk()
        .args([
            "stats",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-15",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("2026-11-01 to 2026-11-14 (UTC): 20"),
        "{stdout}"
    );
    let system = stdout
        .lines()
        .find(|l| l.starts_with("system share"))
        .unwrap();
    assert!(
        system.contains("19 ms") && system.contains("28 ms"),
        "{system}"
    );
    let whole = stdout
        .lines()
        .find(|l| l.starts_with("whole flow"))
        .unwrap();
    assert!(whole.contains("3.42 s"), "{whole}");

    let empty = kiosk()
        .args([
            "stats",
            "--since",
            "2020-01-01",
            "--until",
            "2020-01-02",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8(empty.stdout)
            .unwrap()
            .contains("No sign-ups")
    );
}

#[test]
fn kms_without_a_display_device_fails_with_a_clear_message_not_a_panic() {
    if std::path::Path::new("/dev/dri/card0").exists() {
        eprintln!("this machine has a DRM device: the failure path cannot be shown here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kms.toml");
    std::fs::write(&config, "[kiosk]\ndisplay = \"kms\"\n").unwrap();
    let out = kiosk()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("run")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("user interface") && stderr.contains("DRM"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_developer_without_the_package_may_run_as_root() {
    // The guard against root-owned databases applies to an installed kiosk only (see
    // commands::root_guard); with another config, root's own data directory is used.
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("kiosk.toml");
    std::fs::write(&config, "").unwrap();
    let out = kiosk()
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .arg("--config")
        .arg(&config)
        .args(["stats"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("sudo -u member-kiosk"), "{stderr}");
}

#[test]
fn member_code_prints_a_code_that_verifies_and_refuses_a_stranger() {
    use member_kiosk::domain::phone::{PhoneCheck, check_mobile};
    use member_kiosk::domain::region::Region;
    use member_kiosk::domain::signing::Keyring;
    use member_kiosk::domain::signup::JoinRequest;

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kiosk.db")).unwrap();
    let PhoneCheck::Valid(phone) = check_mobile(Region::HK, "91234567") else {
        panic!("valid number")
    };
    let member = store
        .join(&JoinRequest::new(phone, true, false, "v1", 0).unwrap())
        .unwrap()
        .member_id;
    let ring = Keyring::new([store.signer().unwrap().public()]);
    drop(store);

    let out = kiosk()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["member-code", &member])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("****4567"), "{stdout}");
    let code = stdout
        .lines()
        .find(|l| l.len() > 100 && l.bytes().all(|b| b.is_ascii_digit()))
        .expect("the digits");
    let now = u32::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap();
    let read = member_kiosk::domain::member_code::verify(&ring, code, now).unwrap();
    assert_eq!(read.member_id, member);
    assert!(
        read.expires_at - now > 700 * 24 * 3600,
        "a saved code lasts two years"
    );

    let out = kiosk()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["member-code", "crm-404"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no member crm-404"));
}

#[test]
fn export_surveys_writes_csv_that_no_spreadsheet_runs_as_a_formula() {
    use member_kiosk::domain::survey::builtin;
    use member_kiosk::domain::survey::flow::{Answer, SurveyRun};
    use member_kiosk::store::surveys::{AbandonedSurvey, CompletedSurvey};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(&dir.path().join("kiosk.db")).unwrap();
        let definition = builtin::default_survey();
        let mut run = SurveyRun::new(Arc::new(definition.clone()));
        for answer in [
            Answer::Score(2),
            Answer::Text("=HYPERLINK(\"http://evil\"), \"quoted\"".into()),
            Answer::Score(1),
            Answer::Choice(0),
            Answer::Choices(vec![0, 3]),
        ] {
            run.answer(answer).unwrap();
        }
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        store
            .record_survey(&CompletedSurvey {
                response_id: "0196f0a4-0000-7000-8000-000000000001".into(),
                survey_id: definition.survey_id.clone(),
                version: 1,
                member: None,
                language: "en".into(),
                started_at: now.clone(),
                answers: run.given(),
                points: 0,
            })
            .unwrap();
        store
            .record_abandoned(&AbandonedSurvey {
                survey_id: definition.survey_id.clone(),
                version: 1,
                identified_by: None,
                language: "zh-Hant".into(),
                started_at: now,
                answered: 2,
            })
            .unwrap();
    }
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let out = kiosk()
        .args(["export", "surveys", "--data-dir"])
        .arg(dir.path())
        .args(["--since", &today.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "response_id,survey_id,survey_version,status,started_at,ended_at,identified_by,member_id,language,question_id,kind,value"
    );
    assert_eq!(
        lines.len(),
        1 + 5 + 1,
        "five answers and one abandoned response"
    );
    assert!(
        csv.contains("why,comment,\"'=HYPERLINK(\"\"http://evil\"\"), \"\"quoted\"\"\""),
        "{csv}"
    );
    assert!(csv.contains("liked,multiple_choice,\"[0,3]\""), "{csv}");
    assert!(csv.contains(",abandoned,"), "{csv}");
    // An empty period has the header only; a bad date is refused.
    let none = kiosk()
        .args(["export", "surveys", "--data-dir"])
        .arg(dir.path())
        .args(["--since", "2001-01-01", "--until", "2001-01-31"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(none.stdout).unwrap().lines().count(), 1);
    let bad = kiosk()
        .args(["export", "surveys", "--data-dir"])
        .arg(dir.path())
        .args(["--since", "yesterday"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8(bad.stderr)
            .unwrap()
            .contains("not a date")
    );
}
