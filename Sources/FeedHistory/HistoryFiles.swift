#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file-system checks around opening a history: the folder it lives in, whether it exists,
/// and the operating system's reason when it cannot be used. Errors name the path.
enum HistoryFiles {
    enum Entry {
        case missing
        case file
        case folder
    }

    /// What is at `path` (following symbolic links).
    static func entry(at path: String) -> Entry {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .folder : .file
    }

    /// The size of the file at `path` in bytes, or nil when there is none.
    static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// The folder part of `path`, or nil when it names a file in the current folder.
    static func parent(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// Creates the folder that will hold the history file, with its missing parents (`mkdir -p`).
    static func createParentFolder(of path: String) throws(HistoryError) {
        guard let folder = parent(of: path) else { return }
        if let reason = makeFolder(folder) {
            throw HistoryError(.cannotOpen, "cannot create history folder \(folder): \(reason)")
        }
    }

    /// Why the database at `path` cannot be opened, as the operating system says it, if it can tell.
    static func openFailureReason(_ path: String, readOnly: Bool) -> String? {
        switch entry(at: path) {
        case .folder:
            return "it is a folder"
        case .file:
            return access(path, readOnly ? R_OK : R_OK | W_OK) == 0 ? nil : errorText(errno)
        case .missing:
            let folder = parent(of: path) ?? "."
            return access(folder, W_OK | X_OK) == 0 ? nil : "\(folder): \(errorText(errno))"
        }
    }

    /// Returns nil on success, else the reason.
    private static func makeFolder(_ folder: String) -> String? {
        switch entry(at: folder) {
        case .folder: return nil
        case .file: return "\(folder) is a file, not a folder"
        case .missing: break
        }
        if let parent = parent(of: folder), parent != folder {
            if let reason = makeFolder(parent) { return reason }
        }
        if mkdir(folder, 0o755) == 0 { return nil }
        let code = errno
        // Another process may have created it meanwhile.
        if code == EEXIST, entry(at: folder) == .folder { return nil }
        return errorText(code)
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
