import BlockingWork
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Access tokens printed by the operator's own command (`token_command`), for teams whose tokens already
/// come from a helper (a secrets manager, `oauth2l`, a script of their identity team). The command runs with
/// `/bin/sh -c`, so pipes and quoting work as in a shell, with the gateway's environment. Its standard output
/// is the token, trimmed; or a JSON object with `access_token` and optionally `expires_in`. Anything else it
/// writes to standard error is dropped unread, since it may hold secrets.
public actor CommandTokenSource: AccessTokenSource {
    private let command: OAuth2Settings.TokenCommand
    private let cache = AccessTokenCache()

    public init(command: OAuth2Settings.TokenCommand) {
        self.command = command
    }

    public func accessToken() async throws(MailAuthError) -> String {
        let command = command
        return try await cache.token { () async throws(MailAuthError) -> IssuedAccessToken in
            let output: Result<Data, MailAuthError>
            do {
                output = try await BlockingWork.run { Self.run(command) }
            } catch {
                throw MailAuthError(.tokenCommandFailed, "token_command not run: the blocking-work pool has stopped")
            }
            return try Self.token(from: output.get(), lifetime: command.lifetime)
        }
    }

    public func invalidate(_ token: String) async {
        await cache.invalidate(token)
    }

    /// Largest output read.
    static let outputLimit = 64 * 1024

    /// The token in a command's output: a JSON object's `access_token` (and `expires_in`), or the whole
    /// output, trimmed, when it is one printable word.
    static func token(from output: Data, lifetime: Duration) throws(MailAuthError) -> IssuedAccessToken {
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                let issued = RefreshTokenSource.issuedToken(object, defaultLifetime: lifetime)
            else { throw MailAuthError(.invalidTokenResponse, "token_command printed JSON without a usable access_token") }
            return issued
        }
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw MailAuthError(.invalidTokenResponse, "token_command printed no token (expected one word of printable ASCII)")
        }
        return IssuedAccessToken(token: text, lifetime: lifetime)
    }

    /// Runs the command on a blocking-work thread and returns its standard output; kills it at its timeout.
    private static func run(_ command: OAuth2Settings.TokenCommand) -> Result<Data, MailAuthError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command.command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(MailAuthError(.tokenCommandFailed, "token_command could not be started: /bin/sh is missing or not executable"))
        }
        let pid = process.processIdentifier
        // The shell's own children (a pipeline) hold the output open too: the whole group goes when it is one.
        let killer = DispatchWorkItem { if getpgid(pid) == pid { kill(-pid, SIGKILL) } else { kill(pid, SIGKILL) } }
        let (seconds, attoseconds) = command.timeout.components
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)), execute: killer)
        var data = Data()
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            if data.count < outputLimit { data.append(chunk.prefix(outputLimit - data.count)) }
        }
        process.waitUntilExit()
        killer.cancel()
        if process.terminationReason == .uncaughtSignal {
            return .failure(MailAuthError(.tokenCommandFailed, "token_command was ended by signal \(process.terminationStatus) (timeout \(command.timeout))"))
        }
        guard process.terminationStatus == 0 else {
            return .failure(MailAuthError(.tokenCommandFailed, "token_command exited with status \(process.terminationStatus)"))
        }
        return .success(data)
    }
}
