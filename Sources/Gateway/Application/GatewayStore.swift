import Conversations
import SwitchboardCore

/// Every role the gateway asks of its store: intake, the outbox, approvals, queries, maintenance, surveys and
/// attachments (``MessageStore``), agents' actions, SLA timers and reports. The embedded SQLite store and the
/// shared PostgreSQL one both play all of them.
public typealias GatewayStore = MessageStore & LifecycleStore & ClockTimerStore & ServiceReportStore & FulfilledClockFeed
