import Foundation

/// The console's sessions, kept where every gateway sharing the store finds them: a browser signed in on
/// one gateway is signed in on all of them, and stays signed in across a restart.
public protocol SessionStore: Sendable {
    /// Keeps a new session, and ends every session idle since `idleBefore` (their cookies are dead anyway).
    func openSession(_ session: ConsoleSession, endingIdleBefore idleBefore: Date) async throws
    /// The session whose cookie hashes to `cookieHash`, idle or not; nil when there is none.
    func session(cookieHash: String) async throws -> ConsoleSession?
    /// Records a request on the session.
    func touchSession(cookieHash: String, at: Date) async throws
    /// Ends the session (sign-out); ending one that does not exist changes nothing.
    func endSession(cookieHash: String) async throws
}
