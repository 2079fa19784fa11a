/// The variable names a Mustache template reads, found by scanning its tags, so a render can be
/// refused before it would print a blank.
struct TemplateTags {
    struct Tag {
        var name: String
        var line: Int
        var column: Int
    }

    /// A piece of a template that only substitutes variables.
    enum Segment: Equatable {
        case text(String)
        case variable(String)
    }

    var names: [Tag] = []
    /// The template as text and variables, when it has nothing but plain variable tags (no sections,
    /// comments, transforms): then rendering is concatenation and needs no Mustache context, which is
    /// most of the cost of acknowledging a message. Nil for anything else.
    var plain: [Segment]? = []
    /// Constructs this strict mode does not support (delimiter changes, partials, blocks), with positions.
    var unsupported: [(message: String, line: Int, column: Int)] = []

    init(scanning source: String) {
        let scalars = Array(source.unicodeScalars)
        var index = 0
        var line = 1
        var column = 1
        func advance() {
            if scalars[index] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        func at(_ text: String) -> Bool {
            let needle = Array(text.unicodeScalars)
            return index + needle.count <= scalars.count && Array(scalars[index..<(index + needle.count)]) == needle
        }
        var literalStart = 0
        func literal(upTo end: Int) {
            if end > literalStart { plain?.append(.text(String(String.UnicodeScalarView(scalars[literalStart..<end])))) }
        }
        while index < scalars.count {
            guard at("{{") else {
                advance()
                continue
            }
            literal(upTo: index)
            let tagLine = line
            let tagColumn = column
            let triple = at("{{{")
            let closing = triple ? "}}}" : "}}"
            for _ in 0..<(triple ? 3 : 2) { advance() }
            var content = String.UnicodeScalarView()
            while index < scalars.count, !at(closing) {
                content.append(scalars[index])
                advance()
            }
            if index < scalars.count { for _ in 0..<closing.count { advance() } }
            literalStart = index
            var body = String(content).trimmingCharacters(in: .whitespaces)
            guard let sigil = body.unicodeScalars.first else {
                plain = nil
                continue
            }
            switch sigil {
            case "!", "%", "/":
                plain = nil
                continue
            case "=", ">", "$", "<":
                plain = nil
                unsupported.append(("'{{\(body)}}': delimiter changes, partials and blocks are not supported in reply scripts", tagLine, tagColumn))
                continue
            case "#", "^":
                plain = nil
                body = String(body.dropFirst()).trimmingCharacters(in: .whitespaces)
            case "&":
                body = String(body.dropFirst()).trimmingCharacters(in: .whitespaces)
            default:
                break
            }
            // Transforms wrap the name: `uppercased(name)`.
            if let open = body.lastIndex(of: "("), let close = body.firstIndex(of: ")"), open < close {
                plain = nil
                body = String(body[body.index(after: open)..<close])
            }
            if body.isEmpty || body == "." {
                plain = nil
                continue
            }
            plain?.append(.variable(body))
            names.append(Tag(name: body, line: tagLine, column: tagColumn))
        }
        literal(upTo: scalars.count)
    }
}

import Foundation
