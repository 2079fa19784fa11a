import Signing
import StrictYAML

extension SettingsReader {
    /// A source's `inbound_signature: {scheme, secret, header, tolerance}`; `.none` when it is left out or
    /// cannot be read (its problems are reported).
    mutating func requestSignature(_ node: YAMLValue?, sourceID id: String) -> RequestSignature {
        guard let node, let map = node.mapping(log, what: "inbound_signature", allowed: ["scheme", "secret", "header", "tolerance"]) else {
            return .none
        }
        switch map.string("scheme", in: "inbound_signature", required: true, log) ?? "none" {
        case "none":
            return .none
        case "standard-webhooks":
            guard let secretNode = map.required("secret", in: "inbound_signature", log),
                  let secret = secret(secretNode, name: "inbound secret of \(id)") else { return .none }
            guard let verifier = try? StandardWebhooks(secret: secret) else {
                log.report("inbound secret of source '\(id)' must be whsec_ followed by base64", at: secretNode)
                return .none
            }
            return .standardWebhooks(verifier, tolerance: duration(map, "tolerance") ?? .seconds(300))
        case "hmac-sha256":
            guard let secretNode = map.required("secret", in: "inbound_signature", log),
                  let secret = secret(secretNode, name: "inbound secret of \(id)") else { return .none }
            return .hmacSHA256(HMACSignature(secret: secret), header: map.string("header", in: "inbound_signature", log) ?? "X-Signature-256")
        default:
            log.report("scheme must be none, standard-webhooks or hmac-sha256", at: map["scheme"]!)
            return .none
        }
    }
}
