// Build-time tool: turns migrations/NNNN_name.sql into a Swift array so the
// binary carries its schema. Usage: MigrationEmbedder OUTPUT.swift FILE.sql...
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: MigrationEmbedder OUTPUT FILE.sql...\n".utf8))
    exit(2)
}
var entries: [(Int, String, String)] = []
for path in arguments.dropFirst() {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    guard let number = Int(name.prefix { $0.isNumber }), name.first?.isNumber == true else {
        FileHandle.standardError.write(Data("\(path): a migration's name starts with its number\n".utf8))
        exit(1)
    }
    let sql = try String(contentsOfFile: path, encoding: .utf8)
    entries.append((number, name, sql))
}
entries.sort { $0.0 < $1.0 }
for (a, b) in zip(entries, entries.dropFirst()) where a.0 == b.0 {
    FileHandle.standardError.write(Data("two migrations share the number \(a.0): \(a.1), \(b.1)\n".utf8))
    exit(1)
}
var swift = "// Generated from migrations/*.sql by MigrationEmbedder. Do not edit.\n"
swift += "let embeddedMigrations: [Migration] = [\n"
for (number, name, sql) in entries {
    swift += "    Migration(version: \(number), name: \(String(reflecting: name)), sql: \(String(reflecting: sql))),\n"
}
swift += "]\n"
try swift.write(toFile: output, atomically: true, encoding: .utf8)
