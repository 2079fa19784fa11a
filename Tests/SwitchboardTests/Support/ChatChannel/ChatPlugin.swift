import Channels
import StrictYAML
import SwitchboardCore

/// A channel written only in the tests, the way a new channel's folder under `Channels/` would be: a chat
/// widget that posts plain text with its user in a header, and takes replies by appending them to a
/// transcript file. Nothing in the gateway names it; the tests add it to the list of channels.
enum ChatPlugin: ChannelPlugin {
    static var kind: ChannelKind { "chat" }
    static var inboundChannel: any InboundChannel.Type { ChatInboundChannel.self }
    static var sourceKeys: [String] { ["widget_token", "transcript"] }

    static func misplacedKeyNote(_ key: String) -> String? {
        key.hasPrefix("reply_") ? "a chat source's replies go to its transcript" : nil
    }

    static func readSource(_ source: SourceSection, reader: inout SettingsReader) -> ChatSource? {
        guard let tokenNode = source.map.required("widget_token", in: "chat source '\(source.id)'", reader.log),
              let token = reader.secret(tokenNode, name: "widget_token of \(source.id)"),
              let transcript = source.map.string("transcript", in: "chat source '\(source.id)'", required: true, reader.log)
        else { return nil }
        return ChatSource(id: source.id, widgetToken: token, transcript: reader.resolve(transcript))
    }

    static func assemble(_ sources: [ChatSource], context: ChannelContext) throws -> ChannelAssembly {
        ChannelAssembly(
            outbound: ChatOutboundChannel(sources: sources),
            inbound: Dictionary(uniqueKeysWithValues: sources.map { ($0.id, ChatInboundChannel(source: $0) as any InboundChannel) }))
    }
}
