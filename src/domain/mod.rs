//! Pure domain logic: phone numbers, regions, languages, sign-up rules, domain events, what
//! the CRM answers, the staff PIN gate, and timing statistics. Nothing in here does I/O, so all of it is unit-tested directly.
pub mod crm;
pub mod events;
pub mod language;
pub mod phone;
pub mod region;
pub mod signup;
pub mod staff_pin;
pub mod timing;
