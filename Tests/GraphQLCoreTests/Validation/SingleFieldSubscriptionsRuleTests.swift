import GraphQLCore
import Testing

@Suite struct SingleFieldSubscriptionsRuleTests {
    @Test func oneRootField() throws {
        try expectValid(SingleFieldSubscriptionsRule.self, "subscription S { importantEmails }")
        try expectValid(SingleFieldSubscriptionsRule.self, "subscription S { ...F } fragment F on SubscriptionRoot { importantEmails }")
    }
    @Test func moreThanOneRootFieldIncludingThroughFragments() throws {
        try expectInvalid(SingleFieldSubscriptionsRule.self, "subscription S { importantEmails ...F }\nfragment F on SubscriptionRoot { notImportantEmails }", [
            Expected("Subscription \"S\" must select only one top level field.", [(2, 34)]),
        ])
    }
    /// The draft's CollectSubscriptionFields: no `@skip`/`@include` at the top level (graphql-js 17).
    @Test func skipAndIncludeAtTheTopLevel() throws {
        try expectInvalid(SingleFieldSubscriptionsRule.self, "subscription S($s: Boolean!) { importantEmails @skip(if: $s) }", [
            Expected("Subscription \"S\" must not use `@skip` or `@include` directives in the top level selection.", [(1, 32)]),
        ])
        try expectInvalid(SingleFieldSubscriptionsRule.self, "subscription { ... @include(if: true) { importantEmails } }", [
            Expected("Anonymous Subscription must not use `@skip` or `@include` directives in the top level selection.", [(1, 16)]),
        ])
        // Below the root field they may be used.
        try expectValid(SingleFieldSubscriptionsRule.self, "subscription S($s: Boolean!) { importantEmails { subject @skip(if: $s) } }")
    }
    @Test func introspectionRootField() throws {
        try expectInvalid(SingleFieldSubscriptionsRule.self, "subscription { __typename }", [
            Expected("Anonymous Subscription must not select an introspection top level field.", [(1, 16)]),
        ])
    }
}
