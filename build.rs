//! Compiles `ui/app.slint` with the translations in `ui/lang/` bundled into the binary, and
//! with element debug info so the headless UI tests can find elements by id.
fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("ui/lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(true);
    slint_build::compile_with_config("ui/app.slint", config).expect("the Slint UI must compile");
}
