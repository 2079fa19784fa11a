import CVectorscan
import Foundation
import Synchronization

/// Every keyword and regex of a rule set compiled into one vectorscan database, so each field is
/// scanned once, in time linear in its length, whatever ops wrote.
///
/// Unchecked sendability: a compiled vectorscan database is immutable and may be scanned from many threads
/// at once; the only per-scan state, scratch space, is never shared (spares sit behind a mutex).
public final class PatternDatabase: @unchecked Sendable {
    /// A pattern to compile. Keywords are escaped into literals; regexes are passed as written.
    public struct Pattern: Sendable {
        public enum Kind: Sendable { case keyword, regex }
        public var kind: Kind
        public var text: String

        public init(kind: Kind, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// One match: the pattern's index and the UTF-8 byte range in the scanned text. For regexes the start
    /// is not tracked and equals `end`.
    public struct Hit: Sendable, Equatable {
        public var pattern: Int
        public var start: Int
        public var end: Int
        /// Whether `start` is known (keywords) or not (regexes).
        public var startKnown: Bool
    }

    /// Why a pattern cannot be compiled, in vectorscan's words.
    public struct CompileError: Error, Sendable {
        public var pattern: Int?
        public var message: String
    }

    private let database: OpaquePointer?
    private let prototypeScratch: OpaquePointer?
    /// Scratch space is per concurrent scan; spare ones are kept here for reuse.
    private let spareScratch = Mutex<[Scratch]>([])

    /// Scratch space handed between threads, one user at a time.
    private struct Scratch: @unchecked Sendable {
        let pointer: OpaquePointer
    }
    public let patternCount: Int
    /// Byte length of each keyword, so its start is known without asking vectorscan to track starts
    /// (start-of-match tracking costs scan speed); nil for regexes, which do track them.
    private let literalLengths: [Int?]
    /// For keywords that start (bit 0) or end (bit 1) with an ASCII letter or digit: the match must not
    /// touch another such character there. Checked after the scan because `\b` inside the database makes
    /// vectorscan's compile time grow from milliseconds to seconds per thousand terms.
    private let boundaries: [UInt8]

    public init(patterns: [Pattern]) throws(CompileError) {
        patternCount = patterns.count
        literalLengths = patterns.map { $0.kind == .keyword ? $0.text.utf8.count : nil }
        boundaries = patterns.map { pattern in
            guard pattern.kind == .keyword else { return 0 }
            var bits: UInt8 = 0
            if let first = pattern.text.unicodeScalars.first, Self.isWordScalar(first) { bits |= 1 }
            if let last = pattern.text.unicodeScalars.last, Self.isWordScalar(last) { bits |= 2 }
            return bits
        }
        guard !patterns.isEmpty else {
            database = nil
            prototypeScratch = nil
            return
        }
        let expressions = patterns.map { Self.expression(for: $0) }
        let flags = patterns.map { Self.flags(for: $0) }
        let ids = (0..<patterns.count).map { UInt32($0) }
        var db: OpaquePointer?
        var compileError: UnsafeMutablePointer<hs_compile_error_t>?
        let cStrings = expressions.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { expressionPointers in
            hs_compile_multi(
                expressionPointers.baseAddress, flags, ids, UInt32(patterns.count),
                SB_HS_MODE_BLOCK, nil, &db, &compileError)
        }
        guard status == SB_HS_SUCCESS, let db else {
            let error = Self.describe(compileError)
            hs_free_compile_error(compileError)
            throw error
        }
        var scratch: OpaquePointer?
        guard hs_alloc_scratch(db, &scratch) == SB_HS_SUCCESS, let scratch else {
            hs_free_database(db)
            throw CompileError(pattern: nil, message: "cannot allocate vectorscan scratch space")
        }
        database = db
        prototypeScratch = scratch
    }

    deinit {
        spareScratch.withLock { spares in spares.forEach { hs_free_scratch($0.pointer) } }
        if let prototypeScratch { hs_free_scratch(prototypeScratch) }
        if let database { hs_free_database(database) }
    }

    /// Checks one pattern on its own, so a rule file can point at the exact pattern that is wrong.
    public static func validate(_ pattern: Pattern) -> String? {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var compileError: UnsafeMutablePointer<hs_compile_error_t>?
        let status = hs_expression_info(expression(for: pattern), flags(for: pattern), &info, &compileError)
        defer {
            free(info)
            hs_free_compile_error(compileError)
        }
        if status != SB_HS_SUCCESS {
            return describe(compileError).message
        }
        return nil
    }

    /// Every match in `text`, in the order vectorscan reports them (by end offset).
    public func scan(_ text: String) -> [Hit] {
        var hits: [Hit] = []
        withScratch(text) { database, bytes, scratch in
            withUnsafeMutablePointer(to: &hits) { hitsPointer in
                _ = hs_scan(
                    database, bytes.baseAddress, UInt32(bytes.count), 0, scratch,
                    { id, from, to, _, context in
                        let hits = context!.assumingMemoryBound(to: [Hit].self)
                        hits.pointee.append(Hit(pattern: Int(id), start: Int(to), end: Int(to), startKnown: false))
                        return 0
                    },
                    hitsPointer)
            }
            guard !hits.isEmpty else { return }
            let raw = UnsafeRawBufferPointer(bytes)
            func isWordByte(_ index: Int) -> Bool {
                guard index >= 0, index < raw.count else { return false }
                let byte = raw[index]
                return (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
            }
            hits = hits.compactMap { hit in
                var hit = hit
                if let length = literalLengths[hit.pattern] {
                    hit.start = hit.end - length
                    hit.startKnown = true
                }
                let bits = boundaries[hit.pattern]
                if bits & 1 != 0, isWordByte(hit.start - 1) { return nil }
                if bits & 2 != 0, isWordByte(hit.end) { return nil }
                return hit
            }
        }
        return hits
    }

    /// Scans and only counts matches: the matcher's own speed, as a baseline for the full path.
    public func countMatches(_ text: String) -> Int {
        var count = 0
        withScratch(text) { database, bytes, scratch in
            withUnsafeMutablePointer(to: &count) { counter in
                _ = hs_scan(
                    database, bytes.baseAddress, UInt32(bytes.count), 0, scratch,
                    { _, _, _, _, context in
                        context!.assumingMemoryBound(to: Int.self).pointee += 1
                        return 0
                    }, counter)
            }
        }
        return count
    }

    /// Lends scratch space from the pool (cloning one when all are busy) for one scan of `text`.
    private func withScratch(_ text: String, _ body: (OpaquePointer, UnsafeBufferPointer<CChar>, OpaquePointer) -> Void) {
        guard let database, let prototypeScratch, !text.isEmpty else { return }
        var scratch = spareScratch.withLock { $0.popLast()?.pointer }
        if scratch == nil {
            var clone: OpaquePointer?
            guard hs_clone_scratch(prototypeScratch, &clone) == SB_HS_SUCCESS, let clone else { return }
            scratch = clone
        }
        let taken = Scratch(pointer: scratch!)
        defer { spareScratch.withLock { $0.append(taken) } }
        var utf8 = text
        utf8.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { body(database, $0, taken.pointer) }
        }
    }

    /// Keywords are already folded to lower case, as is the text, so they compile as plain byte
    /// literals: the fastest form to compile and to scan. Regexes get UTF-8 semantics and caseless ASCII
    /// in case ops wrote capitals.
    ///
    /// Regexes deliberately do not track where a match starts (`HS_FLAG_SOM_LEFTMOST`): with it,
    /// vectorscan 5.4.9 aborts the process ("buffer overflow detected") scanning `(a+)+b` over a
    /// thousand `a`s — one customer message could take the gateway down. Regex hits report their end.
    private static func flags(for pattern: Pattern) -> UInt32 {
        guard pattern.kind == .regex else { return 0 }
        return SB_HS_FLAG_CASELESS | SB_HS_FLAG_UTF8 | SB_HS_FLAG_DOTALL
    }

    /// The vectorscan expression for a pattern: keywords become escaped literals (their word boundaries
    /// are checked after the scan, so `down` does not match `download` while Chinese terms match anywhere);
    /// regexes are passed as written.
    static func expression(for pattern: Pattern) -> String {
        switch pattern.kind {
        case .regex:
            return pattern.text
        case .keyword:
            var out = ""
            for scalar in pattern.text.unicodeScalars {
                if scalar.isASCII, !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
    }

    private static func describe(_ error: UnsafeMutablePointer<hs_compile_error_t>?) -> CompileError {
        guard let error else { return CompileError(pattern: nil, message: "vectorscan could not compile the patterns") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown vectorscan error"
        let index = Int(error.pointee.expression)
        return CompileError(pattern: index >= 0 ? index : nil, message: message)
    }
}
