//! Pure domain logic: phone numbers, regions, languages, the shop's texts and privacy
//! notice, sign-up rules, domain events, what the CRM answers, signed member codes and
//! sign-up links, the loyalty rules (expiry, tiers, rewards, earning, redemption), staff
//! (PIN hashes, the sign-in lock-out, the undo window), surveys (definitions, taking one,
//! NPS and CSAT), and timing statistics. Nothing in here does I/O, so all of it is unit-tested directly.
pub mod crm;
pub mod digits;
pub mod events;
pub mod language;
pub mod localized;
pub mod lookup_throttle;
pub mod loyalty;
pub mod member_code;
pub mod one_time_code;
pub mod phone;
pub mod phone_hash;
pub mod privacy_notice;
pub mod region;
pub mod signing;
pub mod signup;
pub mod signup_link;
pub mod staff;
pub mod survey;
pub mod timing;
