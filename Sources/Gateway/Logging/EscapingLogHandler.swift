import Logging
import SwitchboardCore

/// Wraps a log handler so that no message or metadata value can break a log line: newlines, other
/// controls, Unicode line separators and bidirectional overrides are written as escapes (`\n`,
/// `\u{1B}`).
///
/// Requests put their own strings into log lines (an unknown field's name, a script, a conversation
/// id); without this a request holding `\n… critical … FORGED` would write a line of its own. Escaping
/// in the handler covers every log statement, present and future, instead of each call site.
public struct EscapingLogHandler: LogHandler {
    private var wrapped: any LogHandler

    /// - Parameter wrapped: the handler that writes the escaped events.
    public init(wrapping wrapped: any LogHandler) {
        self.wrapped = wrapped
    }

    /// A handler writing to standard error, as `switchboard` logs.
    public static func standardError(label: String, level: Logger.Level) -> EscapingLogHandler {
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return EscapingLogHandler(wrapping: handler)
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(Self.escape) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(Self.escape) }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: event.message.description.escapingControlCharacters())
        event.metadata = event.metadata?.mapValues(Self.escape)
        wrapped.log(event: event)
    }

    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case let .string(text): .string(text.escapingControlCharacters())
        case let .stringConvertible(convertible): .string(convertible.description.escapingControlCharacters())
        case let .dictionary(dictionary): .dictionary(dictionary.mapValues(escape))
        case let .array(array): .array(array.map(escape))
        }
    }
}
