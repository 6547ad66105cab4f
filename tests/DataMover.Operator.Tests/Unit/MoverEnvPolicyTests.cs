using DataMover.Kube.Models;
using DataMover.Operator.Security;

namespace DataMover.Operator.Tests.Unit;

public sealed class MoverEnvPolicyTests
{
    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("BUCKET_PORT")]
    [InlineData("MOVER_VERIFY")]
    [InlineData("ENCRYPTION_PASSWORD")]
    [InlineData("ENCRYPTION_SALT")]
    [InlineData("RCLONE_TRANSFERS")]
    [InlineData("RCLONE_S3_UPLOAD_CUTOFF")]
    [InlineData("RCLONE_CONFIG_OTHER_TYPE")]
    public void StorageKeysAndHarmlessRcloneOptionsAreAllowed(string name) => Assert.Null(MoverEnvPolicy.WhyRefused(name));

    [Theory]
    [InlineData("BASH_ENV", "shell")]
    [InlineData("ENV", "shell")]
    [InlineData("SHELLOPTS", "shell")]
    [InlineData("BASHOPTS", "shell")]
    [InlineData("LD_PRELOAD", "loader")]
    [InlineData("LD_LIBRARY_PATH", "loader")]
    [InlineData("PATH", "shell")]
    [InlineData("IFS", "shell")]
    [InlineData("HOME", "operator")]
    [InlineData("TERMINATION_MESSAGE_PATH", "shell")]
    [InlineData("MOVER_SOURCE_DIR", "mover's own")]
    [InlineData("MOVER_MODE", "operator")]
    [InlineData("DATAMOVER_DESTINATION_PREFIX", "operator")]
    [InlineData("DATAMOVER_SECRET_AWS_ACCESS_KEY_ID", "operator")]
    [InlineData("ADD_TIMESTAMP_PREFIX", "operator")]
    [InlineData("RCLONE_CONFIG", "config file")]
    [InlineData("RCLONE_CONFIG_PASS", "config")]
    [InlineData("RCLONE_PASSWORD_COMMAND", "runs a program")]
    [InlineData("RCLONE_SFTP_SSH", "runs a program")]
    [InlineData("RCLONE_METADATA_MAPPER", "runs a program")]
    [InlineData("RCLONE_RC", "listener")]
    [InlineData("RCLONE_RC_ADDR", "listener")]
    [InlineData("RCLONE_DUMP", "dumps")]
    [InlineData("RCLONE_DUMP_HEADERS", "dumps")]
    [InlineData("RCLONE_LOG_FILE", "outside $HOME")]
    [InlineData("RCLONE_CACHE_DIR", "outside $HOME")]
    [InlineData("RCLONE_TEMP_DIR", "outside $HOME")]
    [InlineData("RCLONE_ASK_PASSWORD", "terminal")]
    [InlineData("RCLONE_CONFIG_DATAMOVER_ENDPOINT", "remote")]
    [InlineData("RCLONE_CONFIG_DATAMOVER_CRYPT_PASSWORD", "remote")]
    [InlineData("RCLONE_CRYPT_PASSWORD2", "encryption")]
    [InlineData("rclone_transfers", "not an allowed name")]
    [InlineData("FOO", "not an allowed name")]
    public void EverythingElseIsRefusedWithTheReason(string name, string why) =>
        Assert.Contains(why, MoverEnvPolicy.WhyRefused(name), StringComparison.Ordinal);

    [Fact]
    public void TheMessageNamesEveryRefusedNameAndNoValue()
    {
        var refused = MoverEnvPolicy.Refused(
        [
            new EnvVar { Name = "BASH_ENV", Value = "$(canary-value)" },
            new EnvVar { Name = "RCLONE_TRANSFERS", Value = "4" },
            new EnvVar { Name = "PATH", Value = "/canary" },
            new EnvVar { Name = "AWS_SECRET_ACCESS_KEY", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "other", Key = "k" } } },
        ]);
        Assert.Equal(["BASH_ENV", "PATH"], refused.Select(r => r.Name));
        var message = MoverEnvPolicy.Describe(refused);
        Assert.Contains("BASH_ENV (changes how the shell", message, StringComparison.Ordinal);
        Assert.Contains("PATH (", message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncryptionKeysComeOnlyFromASecretNeverAsAPlainValue()
    {
        var refused = MoverEnvPolicy.Refused(
        [
            new EnvVar { Name = "ENCRYPTION_PASSWORD", Value = "canary-password-in-spec" },
            new EnvVar { Name = "ENCRYPTION_SALT", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "keys", Key = "salt" } } },
        ]);

        var only = Assert.Single(refused);
        Assert.Equal("ENCRYPTION_PASSWORD", only.Name);
        Assert.Contains("must come from a Secret", only.Why, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", MoverEnvPolicy.Describe(refused), StringComparison.Ordinal);
    }
}
