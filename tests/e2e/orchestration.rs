//! Orchestration end to end: pm2's everyday verbs (`delete`, `flush`) and applying an edited
//! project file to a running session (`reload`), from the command line and the control API.

mod verbs;
