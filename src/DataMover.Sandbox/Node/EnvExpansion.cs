using System.Text;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion (third_party/forked/golang/expansion): <c>$(NAME)</c> becomes the value when
/// NAME is defined, stays verbatim when it is not; <c>$$</c> is an escaped <c>$</c>; anything else is literal.
/// </summary>
internal static class EnvExpansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var sb = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (c != '$' || i + 1 >= input.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i += 2;
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    // Unterminated reference: kept as written.
                    sb.Append(input, i, input.Length - i);
                    break;
                }

                var name = input[(i + 2)..close];
                sb.Append(name.Length > 0 && lookup(name) is { } value ? value : input[i..(close + 1)]);
                i = close + 1;
            }
            else
            {
                sb.Append(c).Append(next);
                i += 2;
            }
        }

        return sb.ToString();
    }
}
