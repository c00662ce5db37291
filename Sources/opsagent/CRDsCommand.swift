import ArgumentParser
import Foundation
import OpsAPI

/// `opsagent crds`: prints the CustomResourceDefinitions, or writes them to a folder (`make crds`).
struct CRDs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print the opsagent CustomResourceDefinitions (pipe to kubectl apply -f -), or write them to a folder.")

    @Option(name: .customLong("output-dir"), help: "Write one file per CRD into this folder instead of printing.")
    var outputDirectory: String?

    func run() throws {
        let crds = OpsAPI.customResourceDefinitions
        guard let outputDirectory else {
            print(try crds.map { try $0.yaml() }.joined(separator: "---\n"), terminator: "")
            return
        }
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        for crd in crds {
            let path = (outputDirectory as NSString).appendingPathComponent(OpsAPI.fileName(for: crd))
            try crd.yaml().write(toFile: path, atomically: true, encoding: .utf8)
            print("wrote \(path)")
        }
    }
}
