import Foundation
import KubeClient

/// The shape an LLM must answer in, and its reading into an ``AnalysisResult``.
///
/// The schema is valid for OpenAI strict structured outputs (every property required,
/// `additionalProperties: false`, no unsupported keywords) and for Anthropic tool input.
/// Lengths are not constrained in the schema (strict mode does not support `maxLength`);
/// ``AnalysisResult/bounded()`` cuts them instead.
public enum ReplySchema {
    /// The name the schema is sent under (`json_schema.name`, the Anthropic tool name).
    public static let name = "analysis_result"

    public static let schema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["verdict", "confidence", "summary", "findings", "recommendations"],
        "properties": [
            "verdict": [
                "type": "string",
                "enum": ["pass", "fail", "inconclusive"],
                "description": "pass: the facts support going ahead; fail: they show a problem; inconclusive: they do not allow a judgement.",
            ],
            "confidence": [
                "type": "number", "minimum": 0, "maximum": 1,
                "description": "How sure you are of the verdict, from 0 to 1.",
            ],
            "summary": [
                "type": "string",
                "description": "What you judged and why, in at most 500 characters.",
            ],
            "findings": [
                "type": "array",
                "maxItems": .int(Int64(AnalysisResult.Limits.findings)),
                "items": [
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["severity", "title", "evidence"],
                    "properties": [
                        "severity": ["type": "string", "enum": ["critical", "warning", "info"]],
                        "title": ["type": "string", "description": "A short name for the finding."],
                        "evidence": ["type": "string", "description": "The facts that show it: values, reasons, log lines."],
                    ],
                ],
            ],
            "recommendations": [
                "type": "array",
                "maxItems": .int(Int64(AnalysisResult.Limits.recommendations)),
                "items": ["type": "string"],
            ],
        ],
    ]

    static let validator = JSONSchema(schema)

    /// The analysis a reply carries, or the reasons it does not fit the schema.
    static func read(_ reply: JSONValue) -> Result<ReplyContent, InvalidReply> {
        let violations = validator.violations(of: reply, limit: 10)
        guard violations.isEmpty else { return .failure(InvalidReply(violations.map(\.description))) }
        guard let verdict = reply["verdict"].stringValue.flatMap(Verdict.init(rawValue:)),
              let confidence = reply["confidence"].doubleValue,
              let summary = reply["summary"].stringValue else {
            return .failure(InvalidReply(["$: verdict, confidence or summary unreadable"]))
        }
        let findings = (reply["findings"].arrayValue ?? []).compactMap { item -> Finding? in
            guard let severity = item["severity"].stringValue.flatMap(Severity.init(rawValue:)) else { return nil }
            return Finding(severity: severity, title: item["title"].stringValue ?? "", evidence: item["evidence"].stringValue ?? "")
        }
        let recommendations = (reply["recommendations"].arrayValue ?? []).compactMap(\.stringValue)
        return .success(ReplyContent(verdict: verdict, confidence: confidence, summary: summary,
                                     findings: findings, recommendations: recommendations))
    }

    /// Reads the JSON object in a text reply: the whole text, or the first `{…}` block when
    /// the model wrapped it in prose or a code fence.
    static func read(text: String) -> Result<ReplyContent, InvalidReply> {
        guard let json = extractObject(from: text) else {
            return .failure(InvalidReply(["$: the reply is not a JSON object"]))
        }
        return read(json)
    }

    static func extractObject(from text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = try? JSONValue(parsing: trimmed), value.objectValue != nil { return value }
        guard let start = trimmed.firstIndex(of: "{"), let end = trimmed.lastIndex(of: "}"), start < end else { return nil }
        if let value = try? JSONValue(parsing: String(trimmed[start...end])), value.objectValue != nil { return value }
        return nil
    }
}

/// A reply that fits the schema.
struct ReplyContent: Sendable, Hashable {
    var verdict: Verdict
    var confidence: Double
    var summary: String
    var findings: [Finding]
    var recommendations: [String]
}

/// Why a reply does not fit the schema, as the repair request tells the model.
struct InvalidReply: Error, Sendable, Hashable, CustomStringConvertible {
    var problems: [String]
    init(_ problems: [String]) { self.problems = problems }
    var description: String { problems.joined(separator: "; ") }
}
