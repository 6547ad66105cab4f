using DataMover.Kube.Models;

namespace DataMover.Operator.Security;

/// <summary>
/// Which variable names a user may give the mover through spec.additionalEnv (docs/mover-protocol.md, "Allowed
/// names"): the storage keys and the harmless RCLONE_* options. Everything else is refused with the reason, because
/// the mover's code path must not depend on who created the DataMover (shell start-up files, the loader, the mover's
/// own variables, rclone options that run programs or dump credentials). One policy for DataMover, DataMoverSchedule
/// and DataMoverRestore.
/// </summary>
internal static class MoverEnvPolicy
{
    /// <summary>The prefix under which the storage Secret's keys reach the mover (envFrom), out of every name the shell and the loader read.</summary>
    public const string SecretPrefix = "DATAMOVER_SECRET_";

    /// <summary>The storage keys of the protocol.</summary>
    public static IReadOnlySet<string> StorageKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "BUCKET_HOST", "BUCKET_NAME",
        "BUCKET_PORT", "TLS_HOST", "MOVER_REMOTE", "MOVER_REMOTE_PATH", "MOVER_VERIFY", "ENCRYPTION_PASSWORD", "ENCRYPTION_SALT",
    };

    /// <summary>Storage keys that are key material: never a plain value in a spec (docs/mover.md, "Encryption at rest").</summary>
    private static readonly HashSet<string> KeyMaterial = new(StringComparer.Ordinal) { "ENCRYPTION_PASSWORD", "ENCRYPTION_SALT" };

    /// <summary>Variables the operator sets itself (docs/mover-protocol.md, "Set by the operator").</summary>
    private static readonly HashSet<string> OperatorNames = new(StringComparer.Ordinal)
    {
        "MOVER_MODE", "ADD_TIMESTAMP_PREFIX", "HOME",
    };

    /// <summary>Names read by the shell, the dynamic loader or the runtime before the mover's own code runs.</summary>
    private static readonly HashSet<string> ShellNames = new(StringComparer.Ordinal)
    {
        "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PATH", "IFS", "PS4", "CDPATH", "GLOBIGNORE", "BASH_XTRACEFD",
        "PROMPT_COMMAND", "SHELL", "TMPDIR", "PYTHONPATH", "PYTHONSTARTUP", "PERL5LIB", "PERL5OPT", "NODE_OPTIONS",
        "GCONV_PATH", "HOSTALIASES", "LOCALDOMAIN", "RES_OPTIONS", "NLSPATH", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "TERMINATION_MESSAGE_PATH",
    };

    /// <summary>Exact RCLONE_* names the protocol denies, and why.</summary>
    private static readonly Dictionary<string, string> DeniedRclone = new(StringComparer.Ordinal)
    {
        ["RCLONE_CONFIG"] = "selects another rclone config file",
        ["RCLONE_CONFIG_PASS"] = "decrypts an rclone config the mover does not use",
        ["RCLONE_PASSWORD_COMMAND"] = "runs a program",
        ["RCLONE_METADATA_MAPPER"] = "runs a program",
        ["RCLONE_LOG_FILE"] = "writes outside $HOME",
        ["RCLONE_CACHE_DIR"] = "writes outside $HOME",
        ["RCLONE_TEMP_DIR"] = "writes outside $HOME",
        ["RCLONE_ASK_PASSWORD"] = "waits for a terminal",
    };

    /// <summary>Null when <paramref name="name"/> may be set through additionalEnv; otherwise why not.</summary>
    public static string? WhyRefused(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "empty name";
        }

        if (StorageKeys.Contains(name))
        {
            return null;
        }

        if (OperatorNames.Contains(name) || name.StartsWith("DATAMOVER_", StringComparison.Ordinal))
        {
            return "set by the operator";
        }

        if (ShellNames.Contains(name) || name.StartsWith("LD_", StringComparison.Ordinal) || name.StartsWith("BASH_FUNC_", StringComparison.Ordinal))
        {
            return "changes how the shell, the loader or the runtime runs the mover";
        }

        if (name.StartsWith("MOVER_", StringComparison.Ordinal))
        {
            return "the mover's own variable";
        }

        if (!name.StartsWith("RCLONE_", StringComparison.Ordinal))
        {
            return "not an allowed name";
        }

        if (DeniedRclone.TryGetValue(name, out var why))
        {
            return why;
        }

        if (name.StartsWith("RCLONE_CONFIG_DATAMOVER_", StringComparison.Ordinal))
        {
            return "redirects the mover's own remote";
        }

        if (name.EndsWith("_COMMAND", StringComparison.Ordinal) || name.EndsWith("_SSH", StringComparison.Ordinal))
        {
            return "runs a program";
        }

        if (name.StartsWith("RCLONE_RC", StringComparison.Ordinal))
        {
            return "opens a listener";
        }

        if (name.StartsWith("RCLONE_DUMP", StringComparison.Ordinal))
        {
            return "dumps requests and credentials into the log";
        }

        if (name.StartsWith("RCLONE_CRYPT_", StringComparison.Ordinal))
        {
            return "changes the mover's encryption (set ENCRYPTION_PASSWORD and ENCRYPTION_SALT in the storage Secret)";
        }

        return null;
    }

    /// <summary>Every refused entry of <paramref name="env"/> with its reason, in order; names only, never values.</summary>
    public static IReadOnlyList<(string Name, string Why)> Refused(IReadOnlyList<EnvVar>? env) =>
        [.. (env ?? []).Select(e => (Name: e.Name ?? "", Why: WhyRefused(e.Name) ?? WhyValueRefused(e))).Where(r => r.Why is not null).Select(r => (r.Name, r.Why!))];

    /// <summary>
    /// An encryption key written into a spec is readable by everyone who can read the spec and sits in every backup of
    /// the cluster's objects; it may only come from a Secret (the storage Secret, or valueFrom.secretKeyRef).
    /// </summary>
    private static string? WhyValueRefused(EnvVar env) =>
        KeyMaterial.Contains(env.Name) && env.ValueFrom?.SecretKeyRef is null
            ? "key material must come from a Secret: set it in the storage Secret or use valueFrom.secretKeyRef"
            : null;

    /// <summary>The refusal message for <paramref name="refused"/> (non-empty), naming each name and why.</summary>
    public static string Describe(IReadOnlyList<(string Name, string Why)> refused, string field = "spec.additionalEnv") =>
        $"{field} sets {string.Join(", ", refused.Select(r => $"{Quote(r.Name)} ({r.Why})"))}: the mover accepts only the storage keys " +
        $"({string.Join(", ", StorageKeys.Order(StringComparer.Ordinal))}) and RCLONE_* options other than those that run programs, open listeners, " +
        "write outside $HOME, dump credentials or redirect its remote (docs/security.md)";

    /// <summary>A name as the user wrote it, made safe for a message (names are validated by the schema, but status is not the place to trust that).</summary>
    private static string Quote(string name)
    {
        var clean = new string([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return clean.Length == 0 ? "\"\"" : clean;
    }
}
