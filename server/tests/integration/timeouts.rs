//! Slow clients (docs/security.md, "Slow clients"): a request head that
//! does not arrive in time closes the connection; a body that stops
//! arriving is answered 408 `timeout`. Raw TCP, as a slowloris client
//! would send it; the server's timeouts are set to 1 s here.

use crate::support::{TestApp, TestDb};
use std::time::Duration;
use tiaojie_server::config::ServeArgs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Everything the server sends until it closes the connection (or 10 s).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server closed the connection within 10 s");
    String::from_utf8_lossy(&out).into_owned()
}

on_both_databases! {
    async fn a_slow_head_is_cut_off_and_a_stalled_body_gets_408(db: TestDb) {
        let args = ServeArgs { head_timeout_secs: 1, body_idle_timeout_secs: 1, ..ServeArgs::default() };
        let app = TestApp::spawn_with_args(&db, args).await;

        // a head that never ends
        let mut slow = TcpStream::connect(app.addr).await.unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let started = std::time::Instant::now();
        let answer = read_to_close(&mut slow).await;
        assert!(!answer.contains("200 OK"), "{answer}");
        assert!(started.elapsed() < Duration::from_secs(5), "cut off after about 1 s: {:?}", started.elapsed());

        // a body that stops arriving
        let mut stalled = TcpStream::connect(app.addr).await.unwrap();
        stalled.write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"phone\":").await.unwrap();
        let answer = read_to_close(&mut stalled).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains(r#""code":"timeout""#), "{answer}");

        // a client that keeps to time is served
        let mut prompt = TcpStream::connect(app.addr).await.unwrap();
        prompt.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
        let answer = read_to_close(&mut prompt).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        drop(app);
        db.cleanup().await;
    }
}
