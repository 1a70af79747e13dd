//! The production core (feature `production`): what the npm package and the script tag ship.
//!
//! It runs on a Stripe.js instance and nothing else: Stripe.js itself in production, the
//! sandbox's drop-in in development, so the code a merchant tests is the code they ship. It
//! adds what Stripe.js leaves to the merchant and contains no flow UI.
//!
//! - [`exports`]: the JS API: `collectFinancialConnectionsAccounts`, `abort`,
//!   `confirmUsBankAccountSetup` and `mountMandateForm`. Nothing runs at import time.
//! - [`collect`]: one flow per page around Stripe.js's modal: `fetchSession` completion, the
//!   classification, the lifecycle events, settled exactly once.
//! - [`stripe_js`]: calling the Stripe.js instance, with its documented result shapes.
//! - [`mandate_form`]: the ACH mandate rendered into the merchant's `<form>`.
//! - [`results`]: typed results and lifecycle events become JS objects here and nowhere else.
//! - [`typescript`]: the TypeScript declarations of everything that crosses.

pub(crate) mod collect;
pub(crate) mod exports;
pub(crate) mod mandate_form;
pub(crate) mod results;
pub(crate) mod stripe_js;
mod typescript;
