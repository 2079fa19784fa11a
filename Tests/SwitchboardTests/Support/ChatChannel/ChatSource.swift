import Channels

/// One chat widget: the token its posts carry, and the file replies to its users are appended to.
struct ChatSource: ChannelSource {
    var id: String
    var widgetToken: String
    var transcript: String
}
