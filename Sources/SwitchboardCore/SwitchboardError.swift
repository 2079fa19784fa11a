/// An error that is safe to log and to show to a client: its message never holds message bodies,
/// addresses or secrets.
public struct SwitchboardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable code.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        public static let invalidRules = Code(rawValue: "invalid_rules")
        public static let unknownScript = Code(rawValue: "unknown_script")
        public static let missingTemplateVariable = Code(rawValue: "missing_template_variable")
        public static let forbiddenPhrase = Code(rawValue: "forbidden_phrase")
        public static let invalidTemplate = Code(rawValue: "invalid_template")
        /// A reply variable whose name breaks the naming rules or collides with another.
        public static let invalidVariable = Code(rawValue: "invalid_variable")
        public static let storageFailure = Code(rawValue: "storage_failure")
        public static let notFound = Code(rawValue: "not_found")
        public static let transportFailure = Code(rawValue: "transport_failure")
        public static let signatureFailure = Code(rawValue: "signature_failure")
        /// A reply longer than its channel may carry (an SMS over the source's segment limit).
        public static let replyTooLong = Code(rawValue: "reply_too_long")
        /// A provider's callback that cannot be read (a missing field, a malformed number).
        public static let invalidCallback = Code(rawValue: "invalid_callback")
        /// A request body that cannot be read (not JSON, a required field missing or empty).
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// A text field holding a C0 control other than tab, line feed and carriage return.
        public static let controlCharacter = Code(rawValue: "control_character")
        /// An amount variable of a reply (`approval.yaml`'s `amount_variables`) whose value is not an amount.
        public static let malformedAmount = Code(rawValue: "malformed_amount")
        /// A message that needs a supervisor's approval where it cannot wait for one (a hand-off's message).
        public static let approvalRequired = Code(rawValue: "approval_required")
        /// Files on a reply whose channel carries text only (an SMS gateway).
        public static let mediaNotSupported = Code(rawValue: "media_not_supported")
        /// An attachment a request names that does not exist, or a provider-hosted file the source may not fetch.
        public static let invalidAttachment = Code(rawValue: "invalid_attachment")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
