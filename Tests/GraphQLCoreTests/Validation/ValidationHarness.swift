import GraphQLCore
import Testing

/// The one SDL schema every validation rule test runs against (after graphql-js's harness).
let validationSDL = """
interface Mammal { mother: Mammal father: Mammal }
interface Pet { name(surname: Boolean): String }
interface Canine implements Mammal { name(surname: Boolean): String mother: Canine father: Canine }
enum DogCommand { SIT HEEL DOWN }
type Dog implements Pet & Mammal & Canine {
  name(surname: Boolean): String
  nickname: String
  barkVolume: Int
  barks: Boolean
  doesKnowCommand(dogCommand: DogCommand): Boolean
  isHouseTrained(atOtherHomes: Boolean = true): Boolean
  isAtLocation(x: Int, y: Int): Boolean
  mother: Dog
  father: Dog
}
type Cat implements Pet { name(surname: Boolean): String nickname: String meows: Boolean meowsVolume: Int furColor: FurColor }
union CatOrDog = Cat | Dog
type Human { name(surname: Boolean): String pets: [Pet] relatives: [Human]! }
enum FurColor { BROWN BLACK TAN SPOTTED NO_FUR UNKNOWN }
input ComplexInput { requiredField: Boolean! nonNullField: Boolean! = false intField: Int stringField: String booleanField: Boolean stringListField: [String] }
input OneOfInput @oneOf { stringField: String intField: Int }
type ComplicatedArgs {
  intArgField(intArg: Int): String
  nonNullIntArgField(nonNullIntArg: Int!): String
  stringArgField(stringArg: String): String
  booleanArgField(booleanArg: Boolean): String
  enumArgField(enumArg: FurColor): String
  floatArgField(floatArg: Float): String
  idArgField(idArg: ID): String
  stringListArgField(stringListArg: [String]): String
  stringListNonNullArgField(stringListNonNullArg: [String!]): String
  complexArgField(complexArg: ComplexInput): String
  oneOfArgField(oneOfArg: OneOfInput): String
  multipleReqs(req1: Int!, req2: Int!): String
  nonNullFieldWithDefault(arg: Int! = 0): String
  multipleOpts(opt1: Int = 0, opt2: Int = 0): String
  multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String
}
type QueryRoot {
  human(id: ID): Human
  dog: Dog
  cat: Cat
  pet: Pet
  catOrDog: CatOrDog
  complicatedArgs: ComplicatedArgs
}
type SubscriptionRoot { importantEmails: [String] notImportantEmails: [String] moreImportantEmails: [String] }
type MutationRoot { addDog(name: String): Dog }
directive @onField on FIELD
directive @repeatable repeatable on FIELD
directive @onFragment(if: Boolean) on FRAGMENT_DEFINITION
schema { query: QueryRoot mutation: MutationRoot subscription: SubscriptionRoot }
"""

nonisolated(unsafe) let validationSchema: Schema = try! Schema(sdl: validationSDL)

struct Expected: CustomStringConvertible, Equatable {
    let message: String
    let locations: [GraphQLCore.SourceLocation]
    init(_ message: String, _ locations: [(Int, Int)]) {
        self.message = message
        self.locations = locations.map { GraphQLCore.SourceLocation(line: $0.0, column: $0.1) }
    }
    var description: String { "\(message) @ \(locations)" }
}

/// Errors of one rule on a document, compared by message and line/column.
func errors(_ rule: any ValidationRule.Type, _ query: String, schema: Schema = validationSchema) throws -> [Expected] {
    let source = Source(query)
    let doc = try Parser.parse(source)
    return Validator.validate(schema: schema, document: doc, source: source, rules: [rule])
        .map { e in Expected(e.message, e.locations.map { ($0.line, $0.column) }) }
}

func expectValid(_ rule: any ValidationRule.Type, _ query: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let actual = try errors(rule, query)
    #expect(actual == [], sourceLocation: sourceLocation)
}

func expectInvalid(_ rule: any ValidationRule.Type, _ query: String, _ expected: [Expected], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let actual = try errors(rule, query)
    #expect(actual == expected, sourceLocation: sourceLocation)
}
