using System.Security.Cryptography;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// k8s.io/apiserver/pkg/storage/names SimpleNameGenerator: the generateName base is cut to
/// 63 - 5 = 58 characters, then 5 random characters from an alphabet without vowels (no accidental words) and
/// without look-alike digits are appended, so a long base still yields a valid 63-character name.
/// </summary>
internal static class GeneratedName
{
    public const int RandomLength = 5;
    public const int MaxBaseLength = 63 - RandomLength;

    /// <summary>The registry tries this many generated names before giving up (RetryGenerateName, GA in 1.32).</summary>
    public const int MaxAttempts = 8;

    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string From(string generateName)
    {
        var prefix = generateName.Length > MaxBaseLength ? generateName[..MaxBaseLength] : generateName;
        return prefix + string.Create(RandomLength, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
    }
}
