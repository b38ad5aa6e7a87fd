//! The HTTP client for the CRM contract (reqwest with rustls): one method per endpoint,
//! timeouts on every request, and every failure sorted into what the sync loop should do
//! about it (retry with back-off, honour Retry-After, split the batch, start the pull over,
//! or stop and tell staff about the token).
//!
//! It follows no redirect (a 307 could re-send phone numbers to another host, or over plain
//! HTTP), and reads every answer in chunks up to a cap, so a CRM that answers with a huge
//! body cannot take the kiosk's memory with it.
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, DATE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Certificate, StatusCode, Url};

use super::backoff::retry_after;
use super::contract::{
    API_PREFIX, ChangePage, ErrorBody, EventBatch, EventBatchResult, HeartbeatRequest,
    HeartbeatResponse, Verification, VerificationCheck, VerificationPurpose, VerificationRequest,
    VerificationResult, WireEvent,
};
use crate::config::CrmConfig;
use crate::domain::crm::Delivery;

const KIOSK_ID_HEADER: &str = "x-kiosk-id";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest `Retry-After` obeyed; a longer one is read as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// The most of an error answer that is read.
pub const MAX_ERROR_BODY: usize = 64 * 1024;
/// The longest pull cursor the contract allows.
pub const MAX_CURSOR_LEN: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot set up the CRM client: {0}")]
    Setup(String),
    #[error("CRM unreachable: {0}")]
    Unreachable(String),
    #[error("CRM did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the CRM refused this kiosk's token (HTTP {0})")]
    Unauthorized(u16),
    #[error("the CRM says the batch is too large (HTTP 413)")]
    TooLarge,
    #[error("the CRM no longer knows the pull cursor (HTTP 410)")]
    CursorExpired,
    #[error("the CRM answered with a redirect (HTTP {status}), which is never followed")]
    Redirected { status: u16 },
    #[error("the CRM refused the request (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the CRM failed (HTTP {status}): {message}")]
    Server {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("the CRM's answer does not follow the contract: {0}")]
    Protocol(String),
}

impl SyncError {
    /// The wait the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Nothing reached the server (or nothing came back): the kiosk is offline.
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Unreachable(_) | SyncError::Timeout(_))
    }
}

/// A client for one CRM, as configured.
#[derive(Clone)]
pub struct CrmClient {
    http: reqwest::Client,
    base: Url,
    kiosk_id: String,
    timeout: Duration,
    max_body: usize,
}

impl CrmClient {
    pub fn new(config: &CrmConfig) -> Result<CrmClient, SyncError> {
        let token = config.bearer_token().map_err(SyncError::Setup)?;
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| SyncError::Setup("the token has characters HTTP cannot carry".into()))?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(
            KIOSK_ID_HEADER,
            HeaderValue::from_str(&config.kiosk_id)
                .map_err(|_| SyncError::Setup("kiosk_id cannot be sent in a header".into()))?,
        );
        let timeout = Duration::from_secs(config.timeout_secs);
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("member-kiosk/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .redirect(reqwest::redirect::Policy::none())
            .https_only(false);
        if let Some(ca_file) = &config.ca_file {
            let pem = std::fs::read(ca_file)
                .map_err(|e| SyncError::Setup(format!("cannot read {}: {e}", ca_file.display())))?;
            let certificates = Certificate::from_pem_bundle(&pem).map_err(|e| {
                SyncError::Setup(format!(
                    "{} is not a PEM certificate: {e}",
                    ca_file.display()
                ))
            })?;
            if certificates.is_empty() {
                return Err(SyncError::Setup(format!(
                    "{} holds no certificate",
                    ca_file.display()
                )));
            }
            builder = builder.tls_built_in_root_certs(false);
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Setup(e.to_string()))?;
        let mut base = Url::parse(&config.url).map_err(|e| SyncError::Setup(e.to_string()))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(CrmClient {
            http,
            base,
            kiosk_id: config.kiosk_id.clone(),
            timeout,
            max_body: usize::try_from(config.max_page_bytes).unwrap_or(usize::MAX),
        })
    }

    pub fn kiosk_id(&self) -> &str {
        &self.kiosk_id
    }

    fn url(&self, path: &str) -> Result<Url, SyncError> {
        let relative = format!("{}{path}", API_PREFIX.trim_start_matches('/'));
        self.base
            .join(&relative)
            .map_err(|e| SyncError::Setup(e.to_string()))
    }

    pub async fn heartbeat(
        &self,
        request: &HeartbeatRequest,
    ) -> Result<HeartbeatResponse, SyncError> {
        let response = self
            .send(self.http.post(self.url("/heartbeat")?).json(request))
            .await?;
        self.json(response).await
    }

    /// Pushes `events` (in seq order) and returns the CRM's verdict on each one it answered
    /// for; results for ids that were not sent are dropped.
    pub async fn push(&self, events: Vec<WireEvent>) -> Result<Vec<Delivery>, SyncError> {
        let sent: std::collections::HashSet<String> = events.iter().map(|e| e.id.clone()).collect();
        let batch = EventBatch {
            kiosk_id: self.kiosk_id.clone(),
            sent_at: crate::store::now_rfc3339(),
            events,
        };
        let response = self
            .send(self.http.post(self.url("/events")?).json(&batch))
            .await?;
        let result: EventBatchResult = self.json(response).await?;
        let mut deliveries = Vec::with_capacity(result.results.len());
        for r in result.results {
            if sent.contains(&r.id) {
                deliveries.push(r.into_delivery());
            } else {
                tracing::warn!(id = %r.id, "CRM answered for an event that was not sent; ignored");
            }
        }
        Ok(deliveries)
    }

    pub async fn pull(&self, cursor: Option<&str>, limit: u32) -> Result<ChangePage, SyncError> {
        let mut url = self.url("/changes")?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(cursor) = cursor {
                query.append_pair("cursor", cursor);
            }
            query.append_pair("limit", &limit.to_string());
        }
        let response = self.send(self.http.get(url)).await?;
        let page: ChangePage = self.json(response).await?;
        if page.changes.len() > limit as usize {
            return Err(SyncError::Protocol(format!(
                "the CRM sent {} changes where at most {limit} were asked for",
                page.changes.len()
            )));
        }
        if page.next_cursor.len() > MAX_CURSOR_LEN {
            return Err(SyncError::Protocol(format!(
                "the CRM's cursor is {} bytes long; the contract allows {MAX_CURSOR_LEN}",
                page.next_cursor.len()
            )));
        }
        Ok(page)
    }

    /// Asks the CRM to text a one-time code to `phone_e164`.
    pub async fn start_verification(
        &self,
        phone_e164: &str,
        purpose: VerificationPurpose,
        language: &str,
    ) -> Result<Verification, SyncError> {
        let request = VerificationRequest {
            phone_e164: phone_e164.to_owned(),
            purpose,
            language: language.to_owned(),
        };
        let response = self
            .send(self.http.post(self.url("/verifications")?).json(&request))
            .await?;
        self.json(response).await
    }

    /// Checks the code the customer typed.
    pub async fn check_verification(
        &self,
        verification_id: &str,
        code: &str,
    ) -> Result<VerificationResult, SyncError> {
        let mut url = self.url("/verifications/")?;
        url.path_segments_mut()
            .map_err(|()| SyncError::Setup("the CRM URL cannot have paths".into()))?
            .pop_if_empty()
            .push(verification_id)
            .push("check");
        let check = VerificationCheck {
            code: code.to_owned(),
        };
        let response = self.send(self.http.post(url).json(&check)).await?;
        self.json(response).await
    }

    /// Sends and sorts the outcome; only a 2xx comes back as `Ok`.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, SyncError> {
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        if status.is_redirection() {
            return Err(SyncError::Redirected {
                status: status.as_u16(),
            });
        }
        let message = error_message(response).await;
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                SyncError::Unauthorized(status.as_u16())
            }
            StatusCode::PAYLOAD_TOO_LARGE => SyncError::TooLarge,
            StatusCode::GONE => SyncError::CursorExpired,
            StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => SyncError::Server {
                status: status.as_u16(),
                message,
                retry_after: header_retry_after(&headers),
            },
            s if s.is_client_error() => SyncError::Refused {
                status: s.as_u16(),
                message,
            },
            s => SyncError::Server {
                status: s.as_u16(),
                message,
                retry_after: header_retry_after(&headers),
            },
        })
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, SyncError> {
        let bytes = read_capped(response, self.max_body)
            .await
            .map_err(|e| match e {
                Capped::TooBig => SyncError::Protocol(format!(
                    "the answer is larger than {} bytes (crm.max_page_bytes)",
                    self.max_body
                )),
                Capped::Transport(e) => self.transport_error(e),
            })?;
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))
    }

    fn transport_error(&self, e: reqwest::Error) -> SyncError {
        if e.is_timeout() {
            SyncError::Timeout(self.timeout)
        } else {
            // The chain names the actual cause (refused, DNS, TLS certificate...).
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            SyncError::Unreachable(message)
        }
    }
}

fn header_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let date = headers.get(DATE).and_then(|d| d.to_str().ok());
    retry_after(value, date, MAX_RETRY_AFTER)
}

enum Capped {
    TooBig,
    Transport(reqwest::Error),
}

/// Reads a body chunk by chunk, giving up as soon as it would pass `cap` bytes: memory use
/// is bounded by the cap whatever the server sends (or claims to send).
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, Capped> {
    if response
        .content_length()
        .is_some_and(|len| len > cap as u64)
    {
        return Err(Capped::TooBig);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Capped::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(Capped::TooBig);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The server's message from a contract error body, else the start of whatever it sent.
async fn error_message(response: reqwest::Response) -> String {
    let bytes = match read_capped(response, MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(Capped::TooBig) => return format!("an error body over {MAX_ERROR_BODY} bytes"),
        Err(Capped::Transport(_)) => Vec::new(),
    };
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => format!("{}: {}", body.error.code, body.error.message),
        Err(_) => {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.chars().take(200).collect();
            if text.trim().is_empty() {
                "no details".into()
            } else {
                text
            }
        }
    }
}
