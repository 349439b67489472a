//! Mistakes Rust refuses to compile, with the compiler's words: the `.stderr` beside each case
//! is what rustc says, and what blocklab's lessons show (blocklab's `build.rs` cuts both into
//! snippets, and its snippet test checks they are these files). A compiler that words it
//! differently fails here first; `TRYBUILD=overwrite` takes its words.
#[test]
fn the_compiler_refuses_these_mistakes() {
    trybuild::TestCases::new().compile_fail("cases/*.rs");
}
