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
    @Test func introspectionRootField() throws {
        try expectInvalid(SingleFieldSubscriptionsRule.self, "subscription { __typename }", [
            Expected("Anonymous Subscription must not select an introspection top level field.", [(1, 16)]),
        ])
    }
}
