import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private Dovecot's configuration, one for the tests and for `bench imap`: 127.0.0.1 only, plaintext
/// login, one static password, every file under its own directory.
public enum DovecotConfiguration {
    /// The user mail is stored as: Dovecot runs no mail process as root, so as root that is `dovecot`.
    public struct MailUser: Sendable {
        public var name: String
        public var uid: uid_t
        public var gid: gid_t
        public var isRoot: Bool

        public static func current() throws -> MailUser {
            if getuid() == 0 {
                guard let entry = getpwnam("dovecot") else {
                    throw BenchmarkError("no dovecot user: is dovecot installed? (scripts/install-deps.sh --test installs it)")
                }
                return MailUser(name: "dovecot", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, isRoot: true)
            }
            guard let entry = getpwuid(getuid()) else { throw BenchmarkError("the current user has no passwd entry") }
            return MailUser(name: String(cString: entry.pointee.pw_name), uid: getuid(), gid: getgid(), isRoot: false)
        }
    }

    /// `dovecot.conf` for a server under `directory` listening on 127.0.0.1:`port`.
    /// - Parameter syncMail: false for tests, whose mail need not survive a crash (`mail_fsync = never`);
    ///   true keeps Dovecot's default (`optimized`).
    public static func text(directory: String, port: Int, user: MailUser, password: String, syncMail: Bool) -> String {
        let group = getgrgid(user.gid).map { String(cString: $0.pointee.gr_name) } ?? user.name
        return """
            base_dir = \(directory)/run
            state_dir = \(directory)/state
            log_path = \(directory)/dovecot.log
            info_log_path = \(directory)/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            auth_failure_delay = 0
            default_login_user = \(user.isRoot ? "dovenull" : user.name)
            default_internal_user = \(user.name)
            default_internal_group = \(group)
            first_valid_uid = \(min(user.uid, 1))
            first_valid_gid = \(min(user.gid, 1))
            mail_uid = \(user.name)
            mail_gid = \(group)
            mail_location = maildir:\(directory)/mail/%n
            mail_fsync = \(syncMail ? "optimized" : "never")
            passdb {
              driver = static
              args = password=\(password)
            }
            userdb {
              driver = static
              args = uid=\(user.uid) gid=\(user.gid) home=\(directory)/mail/%n
            }
            namespace inbox {
              inbox = yes
              separator = /
            }
            protocol imap {
              mail_max_userip_connections = 100
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = \(port)
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              chroot =
            }

            """
    }
}
