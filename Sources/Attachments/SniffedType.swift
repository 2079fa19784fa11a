/// What an attachment's bytes say it is, whatever its sender claimed.
public enum SniffedType: String, Sendable, Equatable, CaseIterable {
    case png
    case jpeg
    case gif
    case webp
    case pdf
    case zip
    /// HTML (or XHTML): script a browser would run.
    case html
    /// An SVG image: XML that may carry script.
    case svg
    /// Other XML.
    case xml
    /// UTF-8 (or ASCII) text without markup.
    case text
    /// Nothing recognised: served as opaque bytes.
    case unknown

    /// The media type the gateway serves it as: never the sender's claim, and for what a browser could run
    /// (HTML, SVG, XML), not the type that would make it run.
    public var servedMediaType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        case .zip: "application/zip"
        case .text: "text/plain; charset=utf-8"
        case .html, .svg, .xml, .unknown: "application/octet-stream"
        }
    }

    /// Whether an agent's browser may show it in the page (`Content-Disposition: inline`): raster images
    /// only, which run nothing. Everything else is a download.
    public var isInlineSafe: Bool {
        switch self {
        case .png, .jpeg, .gif, .webp: true
        case .pdf, .zip, .html, .svg, .xml, .text, .unknown: false
        }
    }
}
