// `.await` only means something inside async code, where the task can be paused: in a plain
// function the compiler says no.
fn handler() {
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

fn main() {
    handler();
}
