//! Daily-use defects found by trying appmux as new users would: nothing a user typed or ran is
//! lost, nothing is misdrawn, and CLI errors never pass silently.

mod cli;
mod screen;
