//! The outermost layer: every request gets an id (`X-Request-Id`, taken from the request when
//! it is a sane token, made otherwise), a client address (the peer, or behind a trusted proxy
//! the address it forwarded), one access-log line at INFO, and its count and latency in the
//! metrics. The id is returned in the response and in problem details. Nothing personal is
//! logged: the route template, not the path, names what was asked.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use app::state::{AccessNote, ClientAddr, RequestId};

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Problem bodies are small; a larger one is passed on untouched.
const PROBLEM_BODY_LIMIT: usize = 64 * 1024;

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
#[derive(Debug, Clone, Default)]
pub struct Proxies(pub Arc<Vec<IpNet>>);

impl Proxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client: the peer, unless the peer is a trusted proxy; then the right-most address
    /// of `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address
    /// it saw, so addresses left of an untrusted one may be made up).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let Some(chain) = forwarded_for else {
            return peer;
        };
        let mut client = peer;
        for hop in chain.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                // Garbage in the chain: stop at the last address known good.
                Err(_) => break,
            }
        }
        client
    }
}

/// A request id from a client is kept when it is 1 to 128 characters of `[A-Za-z0-9._:-]`.
fn sane_id(value: &HeaderValue) -> Option<String> {
    let id = value.to_str().ok()?;
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    ok.then(|| id.to_owned())
}

pub async fn observe(State(proxies): State<Proxies>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(sane_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let client = proxies.client(peer, forwarded);
        req.extensions_mut().insert(ClientAddr(client));
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    let note = AccessNote::default();
    req.extensions_mut().insert(note.clone());
    req.extensions_mut().insert(RequestId(id.clone()));

    let response = next.run(req).await;
    let mut response = with_request_id(response, &id).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }

    let elapsed = started.elapsed();
    let status = response.status();
    let (tenant, actor) = note.read();
    tracing::info!(
        target: "spine::access",
        request_id = %id,
        method = %method,
        route = %route,
        status = status.as_u16(),
        ms = (elapsed.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
        tenant = tenant.as_deref().unwrap_or("-"),
        actor = actor.unwrap_or("-"),
        "request"
    );
    let method_label = method.as_str().to_owned();
    metrics::counter!(
        "spine_http_requests_total",
        "method" => method_label.clone(),
        "route" => route.clone(),
        "status" => status.as_str().to_owned()
    )
    .increment(1);
    metrics::histogram!(
        "spine_http_request_duration_seconds",
        "method" => method_label,
        "route" => route
    )
    .record(elapsed.as_secs_f64());
    response
}

/// Problem details carry the request's id, so a user's report leads to the log line.
async fn with_request_id(response: Response, id: &str) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, PROBLEM_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read a problem body to add the request id");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let patched = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("request_id".into(), id.into());
            serde_json::to_vec(&problem).ok()
        }
        _ => None,
    };
    let body = match patched {
        Some(patched) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(patched)
        }
        None => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(nets: &[&str]) -> Proxies {
        Proxies(Arc::new(
            nets.iter().filter_map(|n| n.parse().ok()).collect(),
        ))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let none = proxies(&[]);
        assert_eq!(
            none.client(ip("10.0.0.2"), Some("203.0.113.9")),
            ip("10.0.0.2")
        );

        let lb = proxies(&["10.0.0.0/8"]);
        // The proxy says who it talked to.
        assert_eq!(
            lb.client(ip("10.0.0.2"), Some("203.0.113.9")),
            ip("203.0.113.9")
        );
        // A client that forges the header gets its forgery ignored: the proxy appended the
        // real address after it.
        assert_eq!(
            lb.client(ip("10.0.0.2"), Some("198.51.100.1, 203.0.113.9")),
            ip("203.0.113.9")
        );
        // Proxies in a chain are skipped.
        assert_eq!(
            lb.client(ip("10.0.0.2"), Some("203.0.113.9, 10.1.2.3")),
            ip("203.0.113.9")
        );
        // Someone who is not a proxy cannot claim an address.
        assert_eq!(
            lb.client(ip("192.0.2.7"), Some("203.0.113.9")),
            ip("192.0.2.7")
        );
        // Garbage stops the walk at the last good hop.
        assert_eq!(lb.client(ip("10.0.0.2"), Some("nonsense")), ip("10.0.0.2"));
        assert_eq!(lb.client(ip("10.0.0.2"), None), ip("10.0.0.2"));
    }

    #[test]
    fn only_sane_request_ids_are_kept() {
        let ok = |s: &str| sane_id(&HeaderValue::from_str(s).expect("header"));
        assert_eq!(ok("abc-123_x.y:z").as_deref(), Some("abc-123_x.y:z"));
        assert_eq!(ok(""), None);
        assert_eq!(ok("a b"), None);
        assert_eq!(ok("<script>"), None);
        assert_eq!(ok(&"x".repeat(129)), None);
    }
}
