//! One-time codes through the CRM's client, for "My points" by phone number: the requests
//! run on the background runtime and their outcomes come back to the UI thread as
//! [`Pending`] results. Every failure (offline, a 5xx, a broken answer) comes down to
//! "unavailable": the screen then says to scan the member code or tap the card.
use std::sync::Arc;

use super::ports::{CodeChecked, CodeSent, Pending, Verifications};
use crate::domain::phone::E164;
use crate::sync::client::{CrmClient, SyncError};
use crate::sync::contract::VerificationPurpose;

pub struct CrmVerifications {
    client: Arc<CrmClient>,
    runtime: tokio::runtime::Handle,
}

impl CrmVerifications {
    pub fn new(client: CrmClient, runtime: tokio::runtime::Handle) -> Self {
        CrmVerifications {
            client: Arc::new(client),
            runtime,
        }
    }

    fn run<T: Send + 'static>(
        &self,
        job: impl std::future::Future<Output = T> + Send + 'static,
    ) -> Pending<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.runtime.spawn(async move {
            let _ = tx.send(job.await);
        });
        Box::pin(async move { rx.await.map_err(|_| crate::store::StoreError::WorkerGone) })
    }
}

fn too_many(e: &SyncError) -> bool {
    matches!(
        e,
        SyncError::Refused { status: 429, .. } | SyncError::Server { status: 429, .. }
    )
}

impl Verifications for CrmVerifications {
    fn send_code(&self, phone: E164, language: &'static str) -> Pending<CodeSent> {
        let client = self.client.clone();
        self.run(async move {
            match client
                .start_verification(phone.as_str(), VerificationPurpose::Lookup, language)
                .await
            {
                Ok(v) => CodeSent::Sent {
                    verification_id: v.verification_id,
                    resend_after_secs: v.resend_after_secs,
                },
                Err(e) if too_many(&e) => CodeSent::TooMany,
                Err(e) => {
                    tracing::warn!("one-time code not sent: {e}");
                    CodeSent::Unavailable
                }
            }
        })
    }

    fn check_code(&self, verification_id: String, code: String) -> Pending<CodeChecked> {
        let client = self.client.clone();
        self.run(async move {
            match client.check_verification(&verification_id, &code).await {
                Ok(r) if r.verified => CodeChecked::Verified {
                    member_id: r.member_id,
                },
                Ok(r) => CodeChecked::Wrong {
                    attempts_left: r.attempts_left,
                },
                Err(e) => {
                    tracing::warn!("one-time code not checked: {e}");
                    CodeChecked::Unavailable
                }
            }
        })
    }
}
