//! TLS to the CRM (rustls): with `crm.ca_file` the kiosk trusts exactly that CA, so a CRM
//! whose certificate it issued is reached and one signed by anyone else is refused; without
//! it the built-in roots apply and a private CA is refused. Certificates are made fresh by
//! rcgen for each run.
mod common;

use common::crm::{KIOSK_ID, TestCrm, kiosk_config};
use member_kiosk::config::CrmConfig;
use member_kiosk::sync::contract::HeartbeatRequest;
use member_kiosk::sync::{CrmClient, SyncError};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA, and a certificate for `localhost` it signed.
fn pki() -> (String, rustls::ServerConfig) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let tls = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![
                server.der().clone(),
                CertificateDer::from(ca.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    (ca.pem(), tls)
}

fn config(port: u16, ca_file: Option<std::path::PathBuf>) -> CrmConfig {
    CrmConfig {
        ca_file,
        ..kiosk_config(&format!("https://localhost:{port}/kiosk-api"))
    }
}

fn heartbeat() -> HeartbeatRequest {
    HeartbeatRequest {
        kiosk_id: KIOSK_ID.into(),
        firmware_version: "test".into(),
        queue_depth: 0,
        rejected_count: 0,
        last_sync_at: None,
        sent_at: "2026-11-23T00:00:00Z".into(),
        quarantined_database: None,
        signing_key: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pinned_ca_and_only_it_is_trusted() {
    let (ca_pem, tls) = pki();
    let (other_ca_pem, _) = pki();
    let crm = TestCrm::serve_tls(std::net::TcpListener::bind("127.0.0.1:0").unwrap(), tls);
    let port = crm.addr.port();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("crm-ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let other_ca_file = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca_file, &other_ca_pem).unwrap();

    let pinned = CrmClient::new(&config(port, Some(ca_file))).unwrap();
    pinned.heartbeat(&heartbeat()).await.expect("trusted CA");
    assert_eq!(crm.state().heartbeats.len(), 1);

    for (what, ca) in [
        ("built-in roots", None),
        ("another CA", Some(other_ca_file)),
    ] {
        let client = CrmClient::new(&config(port, ca)).unwrap();
        match client.heartbeat(&heartbeat()).await {
            Err(SyncError::Unreachable(message)) => assert!(
                message.to_lowercase().contains("certificate") || message.contains("UnknownIssuer"),
                "{what}: {message}"
            ),
            other => panic!("{what}: expected a refused certificate, got {other:?}"),
        }
    }
    assert_eq!(crm.state().heartbeats.len(), 1, "nothing else got through");

    let not_pem = dir.path().join("not-a-cert.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let error = CrmClient::new(&config(port, Some(not_pem)))
        .err()
        .expect("a CA file without a certificate is refused");
    assert!(error.to_string().contains("not-a-cert.pem"), "{error}");
}
