/// An error whose `description` is safe to log: a code and what went wrong, never a message body, an
/// address, a secret or a bound value.
public protocol LoggableError: Error, CustomStringConvertible {}

extension SwitchboardError: LoggableError {}

/// What a log line may say about `error`: its description when the error vouches for it
/// (``LoggableError``), else only its type.
public func loggableDescription(_ error: any Error) -> String {
    if let error = error as? any LoggableError { return error.description }
    return String(describing: type(of: error))
}
