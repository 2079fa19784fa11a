/// Reduces HTML to readable text in one linear pass: script, style and head contents and comments
/// are dropped, block elements become line breaks, entities are decoded and whitespace collapsed.
enum HTMLText {
    static func text(from html: String) -> String {
        var reducer = Reducer(Array(html.utf8))
        return reducer.run()
    }

    /// The charset a `<meta>` tag declares within the first few kilobytes, if any.
    static func metaCharset(_ bytes: [UInt8]) -> String? {
        let window = Array(bytes.prefix(4096))
        let needle = Array("charset=".utf8)
        var index = 0
        while index + needle.count <= window.count {
            if window.matchesCaseInsensitively(needle, at: index) {
                var start = index + needle.count
                while start < window.count, window[start] == UInt8(ascii: "\"") || window[start] == UInt8(ascii: "'") || window[start] == ASCII.space {
                    start += 1
                }
                var end = start
                while end < window.count, ASCII.isAlphanumeric(window[end]) || window[end] == UInt8(ascii: "-") || window[end] == UInt8(ascii: "_") || window[end] == UInt8(ascii: ".") || window[end] == UInt8(ascii: ":") {
                    end += 1
                }
                if end > start { return String(decoding: window[start..<end], as: UTF8.self) }
            }
            index += 1
        }
        return nil
    }

    private struct Reducer {
        let input: [UInt8]
        var output: [UInt8] = []
        var pendingSpace = false
        /// Element names whose closing tag a search already failed to find: searching again could
        /// only fail again, and skipping the search keeps the pass linear.
        var missingCloseTags: Set<String> = []

        init(_ input: [UInt8]) {
            self.input = input
            output.reserveCapacity(input.count / 2)
        }

        mutating func run() -> String {
            var index = 0
            let count = input.count
            while index < count {
                let byte = input[index]
                if byte == UInt8(ascii: "<") {
                    index = tag(at: index)
                } else if byte == UInt8(ascii: "&") {
                    index = entity(at: index)
                } else if ASCII.isWhitespace(byte) {
                    pendingSpace = true
                    index += 1
                } else {
                    emitByte(byte)
                    index += 1
                }
            }
            var start = 0
            var end = output.count
            while start < end, ASCII.isWhitespace(output[start]) { start += 1 }
            while end > start, ASCII.isWhitespace(output[end - 1]) { end -= 1 }
            return String(decoding: output[start..<end], as: UTF8.self)
        }

        mutating func emitByte(_ byte: UInt8) {
            if pendingSpace, let last = output.last, last != ASCII.lf {
                output.append(ASCII.space)
            }
            pendingSpace = false
            output.append(byte)
        }

        mutating func emit(_ bytes: [UInt8]) {
            if pendingSpace, let last = output.last, last != ASCII.lf {
                output.append(ASCII.space)
            }
            pendingSpace = false
            output.append(contentsOf: bytes)
        }

        /// Ends the current line so at least `count` line breaks separate it from what follows.
        mutating func breakLine(atLeast count: Int) {
            pendingSpace = false
            while output.last == ASCII.space { output.removeLast() }
            guard !output.isEmpty else { return }
            var trailing = 0
            while trailing < output.count, output[output.count - 1 - trailing] == ASCII.lf { trailing += 1 }
            while trailing < count {
                output.append(ASCII.lf)
                trailing += 1
            }
        }

        /// `<br>` always adds a break (so `<div><br></div>` makes an empty line), up to a blank line.
        mutating func lineBreak() {
            pendingSpace = false
            while output.last == ASCII.space { output.removeLast() }
            guard !output.isEmpty else { return }
            if output.count >= 2, output[output.count - 1] == ASCII.lf, output[output.count - 2] == ASCII.lf { return }
            output.append(ASCII.lf)
        }

        /// Handles the markup starting at `start` (a `<`) and returns where text resumes.
        mutating func tag(at start: Int) -> Int {
            let count = input.count
            if input.matchesCaseInsensitively(HTMLText.commentOpen, at: start) {
                return find(HTMLText.commentClose, from: start + 4).map { $0 + 3 } ?? count
            }
            var index = start + 1
            guard index < count else {
                emitByte(UInt8(ascii: "<"))
                return count
            }
            if input[index] == UInt8(ascii: "!") || input[index] == UInt8(ascii: "?") {
                return input.firstIndex(of: UInt8(ascii: ">"), in: index..<count).map { $0 + 1 } ?? count
            }
            var closing = false
            if input[index] == UInt8(ascii: "/") {
                closing = true
                index += 1
            }
            let nameStart = index
            guard index < count, isLetter(input[index]) else {
                emitByte(UInt8(ascii: "<"))
                return start + 1
            }
            while index < count, ASCII.isAlphanumeric(input[index]) || input[index] == UInt8(ascii: ":") || input[index] == UInt8(ascii: "-") {
                index += 1
            }
            let name = String(decoding: input[nameStart..<index].map(ASCII.lower), as: UTF8.self)
            let end = endOfTag(from: index)

            if !closing, HTMLText.hiddenElements.contains(name) {
                if let close = closeTag(name, from: end) { return close }
                // An unclosed head or title hides nothing; an unclosed script or style hides the rest.
                return name == "head" || name == "title" ? end : count
            }
            switch name {
            case "br":
                lineBreak()
            case "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "pre":
                breakLine(atLeast: 2)
            case "div", "li", "tr", "ul", "ol", "dl", "dt", "dd", "hr", "section", "article", "header", "footer",
                 "nav", "aside", "address", "center", "form", "fieldset", "figure", "figcaption", "main", "caption":
                breakLine(atLeast: 1)
            case "td", "th":
                pendingSpace = true
            default:
                break
            }
            return end
        }

        /// The index after the `>` ending a tag, skipping quoted attribute values.
        func endOfTag(from start: Int) -> Int {
            var index = start
            var quote: UInt8?
            var lastNonSpace: UInt8 = 0
            while index < input.count {
                let byte = input[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")) && lastNonSpace == UInt8(ascii: "=") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    return index + 1
                }
                if !ASCII.isWhitespace(byte) { lastNonSpace = byte }
                index += 1
            }
            return input.count
        }

        /// The index after `</name ...>`, or nil when there is none.
        mutating func closeTag(_ name: String, from start: Int) -> Int? {
            guard !missingCloseTags.contains(name) else { return nil }
            let pattern = Array(("</" + name).utf8)
            var index = start
            while let found = find(pattern, from: index) {
                let after = found + pattern.count
                if after >= input.count || !ASCII.isAlphanumeric(input[after]) {
                    return endOfTag(from: after)
                }
                index = found + 1
            }
            missingCloseTags.insert(name)
            return nil
        }

        /// Case-insensitive search for an ASCII pattern that starts with a byte without case.
        func find(_ pattern: [UInt8], from start: Int) -> Int? {
            guard let first = pattern.first else { return nil }
            var index = start
            while index < input.count, let candidate = input.firstIndex(of: first, in: index..<input.count) {
                if input.matchesCaseInsensitively(pattern, at: candidate) { return candidate }
                index = candidate + 1
            }
            return nil
        }

        mutating func entity(at start: Int) -> Int {
            let count = input.count
            var index = start + 1
            if index < count, input[index] == UInt8(ascii: "#") {
                index += 1
                var hex = false
                if index < count, input[index] == UInt8(ascii: "x") || input[index] == UInt8(ascii: "X") {
                    hex = true
                    index += 1
                }
                let digitsStart = index
                var value: UInt32 = 0
                while index < count, index - digitsStart < 8 {
                    let byte = input[index]
                    if hex, let digit = ASCII.hexValue(byte) {
                        value = value * 16 + UInt32(digit)
                    } else if !hex, byte >= 0x30, byte <= 0x39 {
                        value = value * 10 + UInt32(byte - 0x30)
                    } else {
                        break
                    }
                    index += 1
                }
                guard index > digitsStart else {
                    emitByte(UInt8(ascii: "&"))
                    return start + 1
                }
                if index < count, input[index] == UInt8(ascii: ";") { index += 1 }
                emitScalar(Unicode.Scalar(value).flatMap { $0.value == 0 ? nil : $0 } ?? "\u{FFFD}")
                return index
            }
            let nameStart = index
            while index < count, index - nameStart < 10, ASCII.isAlphanumeric(input[index]) { index += 1 }
            if index < count, input[index] == UInt8(ascii: ";"), index > nameStart,
               let scalar = entities[String(decoding: input[nameStart..<index], as: UTF8.self)] {
                emitScalar(scalar)
                return index + 1
            }
            emitByte(UInt8(ascii: "&"))
            return start + 1
        }

        mutating func emitScalar(_ scalar: Unicode.Scalar) {
            if scalar == " " || scalar == "\u{A0}" || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = true
            } else {
                emit(Array(String(scalar).utf8))
            }
        }

        func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
    }

    private static let commentOpen = Array("<!--".utf8)
    private static let commentClose = Array("-->".utf8)
    private static let hiddenElements: Set<String> = ["script", "style", "head", "title", "template", "noscript"]

    private static let entities: [String: Unicode.Scalar] = [
        "nbsp": "\u{A0}", "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'",
        "copy": "\u{A9}", "reg": "\u{AE}", "trade": "\u{2122}", "hellip": "\u{2026}", "mdash": "\u{2014}",
        "ndash": "\u{2013}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "sbquo": "\u{201A}", "ldquo": "\u{201C}",
        "rdquo": "\u{201D}", "bdquo": "\u{201E}", "bull": "\u{2022}", "middot": "\u{B7}", "laquo": "\u{AB}",
        "raquo": "\u{BB}", "euro": "\u{20AC}", "pound": "\u{A3}", "yen": "\u{A5}", "cent": "\u{A2}",
        "sect": "\u{A7}", "deg": "\u{B0}", "plusmn": "\u{B1}", "times": "\u{D7}", "divide": "\u{F7}",
        "shy": "\u{AD}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "zwnj": "\u{200C}",
        "zwj": "\u{200D}", "iexcl": "\u{A1}", "iquest": "\u{BF}", "para": "\u{B6}", "dagger": "\u{2020}",
        "larr": "\u{2190}", "rarr": "\u{2192}", "uarr": "\u{2191}", "darr": "\u{2193}", "hearts": "\u{2665}",
        "agrave": "à", "aacute": "á", "acirc": "â", "atilde": "ã", "auml": "ä", "aring": "å", "aelig": "æ",
        "ccedil": "ç", "egrave": "è", "eacute": "é", "ecirc": "ê", "euml": "ë", "igrave": "ì", "iacute": "í",
        "icirc": "î", "iuml": "ï", "ntilde": "ñ", "ograve": "ò", "oacute": "ó", "ocirc": "ô", "otilde": "õ",
        "ouml": "ö", "oslash": "ø", "ugrave": "ù", "uacute": "ú", "ucirc": "û", "uuml": "ü", "yacute": "ý",
        "szlig": "ß", "Agrave": "À", "Aacute": "Á", "Auml": "Ä", "Eacute": "É", "Ouml": "Ö", "Uuml": "Ü",
        "Ccedil": "Ç", "Ntilde": "Ñ",
    ]
}
