using System.Text;

namespace DataMover.Sandbox.Hosting;

/// <summary>Writes a kubeconfig with one cluster, one token user and the `sandbox` context.</summary>
internal static class KubeconfigWriter
{
    public static void Write(string path, Uri server, string token, string? caPem)
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\nkind: Config\nclusters:\n- name: sandbox\n  cluster:\n");
        sb.Append("    server: ").Append(server.ToString().TrimEnd('/')).Append('\n');
        if (caPem is not null)
        {
            sb.Append("    certificate-authority-data: ").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem))).Append('\n');
        }

        sb.Append("users:\n- name: sandbox-admin\n  user:\n    token: ").Append(token).Append('\n');
        sb.Append("contexts:\n- name: sandbox\n  context:\n    cluster: sandbox\n    user: sandbox-admin\n    namespace: default\n");
        sb.Append("current-context: sandbox\npreferences: {}\n");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, sb.ToString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
