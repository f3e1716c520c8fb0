// GraphQLCore
