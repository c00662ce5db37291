// The clocks (OperatorClock, SystemClock, ManualClock) and cron schedules live in the
// Scheduling target, shared with the analysis layer and the embedded cluster; everything that
// imports OperatorKit sees them.
@_exported import Scheduling
