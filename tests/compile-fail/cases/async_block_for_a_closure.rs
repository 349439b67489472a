// spawn_blocking wants a closure that does the work, not an async block that would do it
// when polled: the compiler says no.
async fn handler() {
    tokio::task::spawn_blocking(async {
        std::thread::sleep(std::time::Duration::from_millis(200));
    })
    .await
    .unwrap();
}

fn main() {
    drop(handler());
}
