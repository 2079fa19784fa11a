import Foundation
import SwitchboardCore

/// A conversation as its row stores it: the model, and what the row keeps of the customer's inbound
/// messages for classifying the next one.
struct ConversationRow {
    var conversation: Conversation
    /// Inbound messages stored in the conversation.
    var inboundCount: Int
    var lastInboundAt: Date?
    /// The first inbound message since an agent last replied, if any came: how long the customer waits.
    var waitingSince: Date?
}
