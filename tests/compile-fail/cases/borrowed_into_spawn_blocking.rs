// A handler lends the blocking pool a value it owns. The pool thread may outlive the handler,
// so spawn_blocking takes only what lives forever ('static): the compiler says no.
async fn handler(report: String) -> usize {
    let text = &report;
    tokio::task::spawn_blocking(|| text.len()).await.unwrap()
}

fn main() {
    drop(handler(String::new()));
}
