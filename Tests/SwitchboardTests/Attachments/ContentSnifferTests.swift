import Attachments
import Foundation
import Testing

/// What an attachment's bytes say it is decides how it is served: never what the sender claimed.
@Suite("Attachment content sniffing")
struct ContentSnifferTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test(
        "raster images, PDF and ZIP by their signatures",
        arguments: [
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00], SniffedType.png),
            ([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10], .jpeg),
            (bytes("GIF89a\u{01}\u{00}"), .gif),
            (bytes("RIFF\u{10}\u{00}\u{00}\u{00}WEBPVP8 "), .webp),
            (bytes("%PDF-1.7\n"), .pdf),
            ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], .zip),
        ] as [([UInt8], SniffedType)])
    func signatures(_ bytes: [UInt8], _ expected: SniffedType) {
        #expect(ContentSniffer.sniff(bytes) == expected)
    }

    @Test(
        "markup a browser would run is HTML or SVG, whatever comes before the first tag",
        arguments: [
            ("<html><body>hi</body></html>", SniffedType.html),
            ("  \n<!DOCTYPE html><p>x", .html),
            ("\u{FEFF}<script>alert(1)</script>", .html),
            ("<!-- a comment --><iframe src=x>", .html),
            ("<A HREF='x'>", .html),
            ("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>", .svg),
            ("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"><svg>", .svg),
            ("<svg onload=alert(1)>", .svg),
            ("<?xml version=\"1.0\"?><invoice><total>800</total></invoice>", .xml),
        ])
    func markup(_ text: String, _ expected: SniffedType) {
        #expect(ContentSniffer.sniff(Self.bytes(text)) == expected)
    }

    @Test("text, and what is neither")
    func textAndUnknown() {
        #expect(ContentSniffer.sniff(Self.bytes("订单号 A123，请尽快处理。\n")) == .text)
        #expect(ContentSniffer.sniff(Self.bytes("a < b and c > d")) == .text)
        #expect(ContentSniffer.sniff(Self.bytes("<abc>not a tag a browser knows")) == .text)
        #expect(ContentSniffer.sniff([0x00, 0x01, 0x02, 0xFE]) == .unknown)
        #expect(ContentSniffer.sniff([UInt8]()) == .unknown)
        // A text cut inside a three-byte character at the window's end is still text.
        let long = Array(String(repeating: "订", count: 600).utf8)
        #expect(long.count > ContentSniffer.window && ContentSniffer.sniff(long) == .text)
    }

    @Test("only raster images are shown inline; HTML and SVG are served as opaque downloads")
    func serving() {
        #expect(SniffedType.allCases.filter(\.isInlineSafe) == [.png, .jpeg, .gif, .webp])
        for type in [SniffedType.html, .svg, .xml, .unknown] {
            #expect(type.servedMediaType == "application/octet-stream" && !type.isInlineSafe)
        }
        // An HTML file sent as "image/png" is sniffed as HTML: a download, never a page.
        let mislabelled = ContentSniffer.sniff(Self.bytes("<html><script>steal()</script>"))
        #expect(mislabelled == .html && !mislabelled.isInlineSafe)
    }
}
