namespace DataMover.Operator.Tests.Support.PromQl;

/// <summary>One token and where it starts, for error messages.</summary>
internal readonly record struct PromQlToken(PromQlTokenKind Kind, string Text, int Position);
