/// Tokens of the CEL grammar.
enum CELToken: Equatable, Sendable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case identifier(String)
    case symbol(String)
    case end
}

/// Splits CEL source text into tokens.
struct CELLexer {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ source: String) { scalars = Array(source.unicodeScalars) }

    static func tokens(_ source: String) throws(CELError) -> [(CELToken, Int)] {
        var lexer = CELLexer(source)
        var out: [(CELToken, Int)] = []
        while true {
            lexer.skipSpaceAndComments()
            let start = lexer.position
            let token = try lexer.next()
            out.append((token, start))
            if token == .end { return out }
        }
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1; continue }
            if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { _ = d; position += 1 }
                continue
            }
            return
        }
    }

    static func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { ("0"..."9").contains($0) } ?? false }
    static func isIdentStart(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    mutating func next() throws(CELError) -> CELToken {
        guard let c = peek() else { return .end }
        if Self.isDigit(c) { return try number() }
        if (c == "r" || c == "R"), let q = peek(1), q == "\"" || q == "'" {
            position += 1
            return .string(try string(raw: true))
        }
        if c == "\"" || c == "'" { return .string(try string(raw: false)) }
        if Self.isIdentStart(c) {
            var name = ""
            while let d = peek(), Self.isIdentStart(d) || Self.isDigit(d) {
                name.unicodeScalars.append(d)
                position += 1
            }
            return .identifier(name)
        }
        for symbol in ["==", "!=", "<=", ">=", "&&", "||"] {
            let chars = Array(symbol.unicodeScalars)
            if peek() == chars[0] && peek(1) == chars[1] {
                position += 2
                return .symbol(symbol)
            }
        }
        if "+-*/%!<>?:.,()[]{}".unicodeScalars.contains(c) {
            position += 1
            return .symbol(String(c))
        }
        throw CELError("Syntax error: token recognition error at: '\(c)'")
    }

    mutating func number() throws(CELError) -> CELToken {
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            position += 2
            var digits = ""
            while let d = peek(), d.properties.isASCIIHexDigit { digits.unicodeScalars.append(d); position += 1 }
            if peek() == "u" || peek() == "U" {
                position += 1
                guard let value = UInt64(digits, radix: 16) else { throw CELError("invalid uint literal") }
                return .uint(value)
            }
            guard let value = Int64(digits, radix: 16) else { throw CELError("invalid int literal") }
            return .int(value)
        }
        var text = ""
        var isDouble = false
        while Self.isDigit(peek()) { text.unicodeScalars.append(peek()!); position += 1 }
        if peek() == ".", Self.isDigit(peek(1)) {
            isDouble = true
            text += "."
            position += 1
            while Self.isDigit(peek()) { text.unicodeScalars.append(peek()!); position += 1 }
        }
        if peek() == "e" || peek() == "E" {
            var lookahead = 1
            if peek(1) == "+" || peek(1) == "-" { lookahead = 2 }
            if Self.isDigit(peek(lookahead)) {
                isDouble = true
                for _ in 0..<lookahead { text.unicodeScalars.append(peek()!); position += 1 }
                while Self.isDigit(peek()) { text.unicodeScalars.append(peek()!); position += 1 }
            }
        }
        if isDouble {
            guard let value = Double(text) else { throw CELError("invalid double literal \(text)") }
            return .double(value)
        }
        if peek() == "u" || peek() == "U" {
            position += 1
            guard let value = UInt64(text) else { throw CELError("invalid uint literal \(text)") }
            return .uint(value)
        }
        guard let value = Int64(text) else { throw CELError("invalid int literal: \(text) is out of range") }
        return .int(value)
    }

    mutating func string(raw: Bool) throws(CELError) -> String {
        let quote = peek()!
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1
        var out = ""
        while true {
            guard let c = peek() else { throw CELError("Syntax error: unterminated string literal") }
            if c == quote {
                if !triple { position += 1; return out }
                if peek(1) == quote && peek(2) == quote { position += 3; return out }
            }
            if !triple && (c == "\n" || c == "\r") { throw CELError("Syntax error: newline in string literal") }
            position += 1
            if c != "\\" || raw { out.unicodeScalars.append(c); continue }
            guard let e = peek() else { throw CELError("Syntax error: unterminated string literal") }
            position += 1
            switch e {
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "a": out += "\u{07}"
            case "b": out += "\u{08}"
            case "f": out += "\u{0C}"
            case "v": out += "\u{0B}"
            case "\\", "'", "\"", "`", "?": out.unicodeScalars.append(e)
            case "x", "X": out.unicodeScalars.append(try hexScalar(2))
            case "u": out.unicodeScalars.append(try hexScalar(4))
            case "U": out.unicodeScalars.append(try hexScalar(8))
            default: throw CELError("Syntax error: invalid escape sequence \\\(e)")
            }
        }
    }

    mutating func hexScalar(_ count: Int) throws(CELError) -> Unicode.Scalar {
        var digits = ""
        for _ in 0..<count {
            guard let d = peek(), d.properties.isASCIIHexDigit else { throw CELError("Syntax error: invalid escape sequence") }
            digits.unicodeScalars.append(d)
            position += 1
        }
        guard let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
            throw CELError("Syntax error: invalid escape sequence")
        }
        return scalar
    }
}
