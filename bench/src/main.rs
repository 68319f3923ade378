//! A small open-loop load generator for the benchmarks (`scripts/bench.sh`): it sends
//! requests at a fixed rate regardless of how fast answers come (so slow answers show up
//! as latency, not as a lower rate), over keep-alive HTTP/1.1 connections on loopback, and
//! prints latency percentiles.
//!
//! ```text
//! loadgen save  <addr> <rate> <seconds> [day] [attackers]
//!                                         # "save today's entry" as the demo cadres, while
//!                                         # `attackers` connections keep guessing passwords
//! loadgen page  <addr> <path> <user> <n>  # n sequential GETs of a server-rendered page
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

const PASSWORD: &str = "xiaoneng2026";

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).ok();
        Conn {
            stream,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    /// Sends one request and reads the whole response; returns (status, headers, body).
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> (u16, String, Vec<u8>) {
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\nAccept: application/json\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.write_all(req.as_bytes()).await.expect("write");
        self.buf.clear();
        let mut tmp = [0u8; 16384];
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_string();
                let status: u16 = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let lower = head.to_ascii_lowercase();
                if let Some(len) = lower
                    .split("\r\n")
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                {
                    while self.buf.len() < end + 4 + len {
                        let n = self.stream.read(&mut tmp).await.expect("read");
                        assert!(n > 0, "connection closed");
                        self.buf.extend_from_slice(&tmp[..n]);
                    }
                    return (status, head, self.buf[end + 4..end + 4 + len].to_vec());
                }
                if lower.contains("transfer-encoding: chunked") {
                    loop {
                        if let Some(p) = find(&self.buf[end + 4..], b"0\r\n\r\n") {
                            let body = self.buf[end + 4..end + 4 + p].to_vec();
                            return (status, head, body);
                        }
                        let n = self.stream.read(&mut tmp).await.expect("read");
                        assert!(n > 0, "connection closed");
                        self.buf.extend_from_slice(&tmp[..n]);
                    }
                }
                return (status, head, Vec::new());
            }
            let n = self.stream.read(&mut tmp).await.expect("read");
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&tmp[..n]);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn sign_in(addr: &str, user: &str) -> String {
    let mut c = Conn::open(addr).await;
    let body = format!(r#"{{"username":"{user}","password":"{PASSWORD}"}}"#);
    let (status, head, _) = c.request("POST", "/api/v1/auth/sign_in", "", &body).await;
    assert_eq!(status, 200, "sign-in of {user}");
    head.split("\r\n")
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with("xn_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string()
}

fn report(name: &str, mut lat: Vec<Duration>, errors: usize, wall: Duration) {
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {} requests in {:.1} s ({:.0}/s), {errors} errors; latency ms p50 {:.2} p95 {:.2} p99 {:.2} max {:.2}",
        lat.len(),
        wall.as_secs_f64(),
        lat.len() as f64 / wall.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(pct(1.0)),
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("save") => {
            let addr = args[2].clone();
            let rate: u64 = args[3].parse().expect("rate");
            let secs: u64 = args[4].parse().expect("seconds");
            let day = args.get(5).cloned().unwrap_or_else(|| "2026-04-15".into());
            // The demo cadres, each signed in once.
            let mut cookies = Vec::new();
            for i in 7..=66 {
                cookies.push(sign_in(&addr, &format!("cadre{i:02}")).await);
            }
            let cookies = Arc::new(cookies);
            // A pool of keep-alive connections, each used by one request at a time.
            let pool: Arc<Vec<Mutex<Conn>>> = Arc::new({
                let mut v = Vec::new();
                for _ in 0..64 {
                    v.push(Mutex::new(Conn::open(&addr).await));
                }
                v
            });
            let attackers: usize = args.get(6).and_then(|a| a.parse().ok()).unwrap_or(0);
            let total = rate * secs;
            let interval = Duration::from_nanos(1_000_000_000 / rate);
            let start = Instant::now();
            // Bad sign-ins in parallel, each attacker on its own connection, for the whole
            // run: known and unknown names with wrong passwords.
            let attack_end = start + Duration::from_secs(secs);
            let attack: Vec<_> = (0..attackers)
                .map(|a| {
                    let addr = addr.clone();
                    tokio::spawn(async move {
                        let mut conn = Conn::open(&addr).await;
                        let (mut tried, mut slowed) = (0u64, 0u64);
                        let mut n = 0u64;
                        while Instant::now() < attack_end {
                            n += 1;
                            let user = if n.is_multiple_of(2) {
                                format!("cadre{:02}", 7 + (n + a as u64) % 60)
                            } else {
                                format!("nobody{a}x{n}")
                            };
                            let body = format!(r#"{{"username":"{user}","password":"guess-{n}"}}"#);
                            let (status, _, _) = conn
                                .request("POST", "/api/v1/auth/sign_in", "", &body)
                                .await;
                            tried += 1;
                            if status == 429 {
                                slowed += 1;
                            }
                        }
                        (tried, slowed)
                    })
                })
                .collect();
            let mut handles = Vec::with_capacity(total as usize);
            for i in 0..total {
                let due = start + interval * i as u32;
                tokio::time::sleep_until(due.into()).await;
                let pool = pool.clone();
                let cookies = cookies.clone();
                let day = day.clone();
                handles.push(tokio::spawn(async move {
                    let cookie = &cookies[i as usize % cookies.len()];
                    let body = format!(
                        r#"{{"input":{{"client_id":"bench-{i:08}-{}","day":"{day}","work":"压力测试：走访企业了解用工情况第{i}次","outcome":"收集问题3条，当场答复2条","place":"office"}}}}"#,
                        start.elapsed().as_nanos()
                    );
                    // Latency counts from the scheduled send time (no coordinated omission).
                    let mut conn = pool[i as usize % pool.len()].lock().await;
                    let (status, _, _) = conn.request("POST", "/api/v1/record/save_entry", cookie, &body).await;
                    (due.elapsed(), status)
                }));
            }
            let mut lat = Vec::new();
            let mut errors = 0;
            for h in handles {
                let (d, status) = h.await.expect("task");
                if status != 200 {
                    errors += 1;
                }
                lat.push(d);
            }
            report("save_entry", lat, errors, start.elapsed());
            if attackers > 0 {
                let (mut tried, mut slowed) = (0, 0);
                for h in attack {
                    let (t, s) = h.await.expect("attacker");
                    tried += t;
                    slowed += s;
                }
                println!(
                    "  meanwhile {attackers} parallel bad sign-ins: {tried} attempts, {slowed} answered 429 (slowed down), {} password checks",
                    tried - slowed
                );
            }
        }
        Some("page") => {
            let addr = args[2].clone();
            let path = args[3].clone();
            let user = args[4].clone();
            let n: usize = args[5].parse().expect("n");
            let cookie = sign_in(&addr, &user).await;
            let mut conn = Conn::open(&addr).await;
            let mut lat = Vec::new();
            let mut errors = 0;
            let start = Instant::now();
            for _ in 0..n {
                let t = Instant::now();
                let (status, _, body) = conn.request("GET", &path, &cookie, "").await;
                lat.push(t.elapsed());
                if status != 200 || body.is_empty() {
                    errors += 1;
                }
            }
            report(&format!("GET {path}"), lat, errors, start.elapsed());
        }
        _ => eprintln!(
            "usage: loadgen save <addr> <rate> <seconds> [day] | loadgen page <addr> <path> <user> <n>"
        ),
    }
}
