/**
 * Every query the public pages send, named, so `pnpm --filter @mingbai/portal codegen` can type them from
 * api/schema.graphql into ./generated/graphql.ts. Pages import the document and get typed data back.
 */
import type * as G from './generated/graphql';
import type { TypedQuery } from './api';

const q = <R, V>(text: string) => text as TypedQuery<R, V>;

/** One payment or receipt as the month page, the print sheet and the downloads show it. */
const STATEMENT_LINE_FIELDS = /* GraphQL */ `
  fragment StatementLineFields on StatementLine {
    kind
    date
    summary
    amount {
      yuan
      fen
    }
    counterparty {
      name
      isPerson
    }
    paymentMethod
    account {
      code
      name
      categoryName
    }
    voucher {
      number
      attachments {
        sha256
      }
    }
  }
`;

/**
 * What the month page's table shows of a line (lib/format-lines.ts LineRow), and nothing more: the month page is the
 * portal's busiest new page, and every field asked is resolved and sent by the API and parsed here, fifty times a page.
 */
const MONTH_LINE_FIELDS = /* GraphQL */ `
  fragment MonthLineFields on StatementLine {
    kind
    date
    summary
    amount {
      yuan
    }
    counterparty {
      name
    }
    paymentMethod
    account {
      name
      categoryName
    }
    voucher {
      number
      attachments {
        sha256
      }
    }
  }
`;

/** A published attachment as the villagers' pages show it: the redacted view, its thumbnail and their sizes. */
const ATTACHMENT_FIELDS = /* GraphQL */ `
  fragment AttachmentFields on Attachment {
    sha256
    kind
    pages
    pageUrls
    url
    width
    height
    thumbnailUrl
    thumbnailWidth
    thumbnailHeight
    voucherNumber
  }
`;

/** A red flag as every page shows it: the rule, the payment it points at, and the committee's answer. */
const RED_FLAG_FIELDS = /* GraphQL */ `
  fragment RedFlagFields on RedFlag {
    key
    source
    rule {
      code
      title
    }
    voucherNumber
    amount {
      yuan
    }
    detail
    raisedBy
    answer {
      body
      author
      answeredAt
    }
  }
`;

/** A question as the public sees it: masked text (null when hidden), the clock, what it is about, the answer. */
const QUESTION_FIELDS = /* GraphQL */ `
  fragment QuestionFields on Question {
    number
    body
    askedAt
    dueAt
    status
    answeredLate
    about {
      year
      month
      voucherNumber
    }
    answer {
      body
      answeredAt
      answeredByRole
      roleLabel
      correctionRevision
      voucherNumber
    }
    hidden {
      reason
      hiddenAt
    }
  }
`;

/** One version of a region's red-flag rules, with every threshold and where its value comes from. */
const RULE_SET_FIELDS = /* GraphQL */ `
  fragment RuleSetFields on RedFlagRuleSet {
    version
    effectiveFrom
    regionSlug
    regionName
    note
    rules {
      code
      title
      explanation
      thresholds {
        name
        title
        unit
        value
        display
        source
      }
    }
  }
`;

export const HomeRegions = q<G.HomeRegionsQuery, G.HomeRegionsQueryVariables>(/* GraphQL */ `
  query HomeRegions {
    regions {
      name
      slug
      children {
        name
        slug
        children {
          name
          slug
        }
      }
    }
  }
`);

export const FindVillages = q<G.FindVillagesQuery, G.FindVillagesQueryVariables>(/* GraphQL */ `
  query FindVillages($q: String!) {
    villages(search: $q, first: 50) {
      totalCount
      nodes {
        name
        slug
        town {
          name
        }
        district {
          name
        }
      }
    }
  }
`);

export const VillagePage = q<G.VillagePageQuery, G.VillagePageQueryVariables>(/* GraphQL */ `
  query VillagePage($slug: String!) {
    village(slug: $slug) {
      name
      kind
      code
      questionDueDays
      questionRecord {
        months
        asked
        answeredOnTime
        answeredLate
        open
        overdue
      }
      town {
        name
        slug
      }
      district {
        name
        slug
      }
      latestStatement {
        year
        month
        publishedAt
        closingBalance {
          yuan
        }
        income {
          yuan
        }
        spending {
          yuan
        }
        byCategory {
          kind
          name
          amount {
            yuan
          }
        }
      }
      periods(first: 100) {
        totalCount
        nodes {
          year
          month
          revision
          revised
          statement {
            redFlagCount
            income {
              yuan
            }
            spending {
              yuan
            }
            closingBalance {
              yuan
            }
          }
        }
      }
    }
  }
`);

export const MonthPage = q<G.MonthPageQuery, G.MonthPageQueryVariables>(/* GraphQL */ `
  query MonthPage(
    $slug: String!
    $year: Int!
    $month: Int!
    $revision: Int
    $category: String
    $minYuan: String
    $maxYuan: String
    $search: String
    $orderBy: LineOrder
    $after: String
    $first: Int
  ) {
    village(slug: $slug) {
      name
      questionDueDays
      town {
        name
        slug
      }
      district {
        name
        slug
      }
      statement(year: $year, month: $month, revision: $revision) {
        revision
        isCurrent
        digest
        reconciled
        questions {
          ...QuestionFields
        }
        redFlagRules
        approval {
          by
          at
          note
        }
        redFlags {
          ...RedFlagFields
        }
        attachments {
          ...AttachmentFields
        }
        openingBalance {
          yuan
        }
        closingBalance {
          yuan
        }
        income {
          yuan
        }
        spending {
          yuan
        }
        byCategory {
          code
          name
          kind
          amount {
            yuan
          }
        }
        previousMonth {
          income {
            yuan
          }
          spending {
            yuan
          }
        }
        yearToDate {
          income {
            yuan
          }
          spending {
            yuan
          }
        }
        revisions {
          revision
          reason
          publishedAt
          isCurrent
        }
        changes {
          voucherNumber
          kind
          summaryBefore
          summaryAfter
          amountBefore {
            yuan
          }
          amountAfter {
            yuan
          }
        }
        lines(
          category: $category
          minYuan: $minYuan
          maxYuan: $maxYuan
          search: $search
          orderBy: $orderBy
          after: $after
          first: $first
        ) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              ...MonthLineFields
            }
          }
        }
      }
    }
  }
  ${MONTH_LINE_FIELDS}
  ${RED_FLAG_FIELDS}
  ${QUESTION_FIELDS}
  ${ATTACHMENT_FIELDS}
`);

export const VoucherPage = q<G.VoucherPageQuery, G.VoucherPageQueryVariables>(/* GraphQL */ `
  query VoucherPage($slug: String!, $year: Int!, $month: Int!, $number: Int!, $revision: Int) {
    village(slug: $slug) {
      name
      questionDueDays
      voucher(year: $year, month: $month, number: $number, revision: $revision) {
        number
        questions {
          ...QuestionFields
        }
        date
        summary
        attachmentsCount
        attachments {
          ...AttachmentFields
        }
        revision
        total {
          yuan
        }
        approvals {
          role
          name
        }
        lines {
          lineNo
          side
          amount {
            yuan
          }
          summary
          paymentMethod
          account {
            code
            name
            categoryName
          }
          counterparty {
            name
            isPerson
          }
        }
        statement {
          isCurrent
          revisions {
            revision
            reason
            isCurrent
          }
        }
        redFlags {
          ...RedFlagFields
        }
      }
    }
  }
  ${RED_FLAG_FIELDS}
  ${QUESTION_FIELDS}
  ${ATTACHMENT_FIELDS}
`);

export const WholeMonth = q<G.WholeMonthQuery, G.WholeMonthQueryVariables>(/* GraphQL */ `
  query WholeMonth($slug: String!, $year: Int!, $month: Int!, $revision: Int, $after: String) {
    village(slug: $slug) {
      name
      code
      statement(year: $year, month: $month, revision: $revision) {
        revision
        isCurrent
        digest
        reason
        redFlagRules
        approval {
          by
          at
          note
        }
        redFlags {
          ...RedFlagFields
        }
        attachments {
          sha256
          kind
        }
        openingBalance {
          yuan
          fen
        }
        closingBalance {
          yuan
          fen
        }
        income {
          yuan
          fen
        }
        spending {
          yuan
          fen
        }
        byCategory {
          name
          kind
          amount {
            yuan
            fen
          }
        }
        lines(first: 100, after: $after) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...StatementLineFields
          }
        }
      }
    }
  }
  ${STATEMENT_LINE_FIELDS}
  ${RED_FLAG_FIELDS}
`);

export const VerifyChain = q<G.VerifyChainQuery, G.VerifyChainQueryVariables>(/* GraphQL */ `
  query VerifyChain($slug: String!) {
    village(slug: $slug) {
      name
    }
    verifyChain(villageSlug: $slug) {
      ok
      checked
      lastDigest
      breaks {
        year
        month
        revision
        problem
      }
    }
  }
`);

/** /rules: the red-flag rules in force for a region (or a village's region) and every earlier version. */
export const RulesPage = q<G.RulesPageQuery, G.RulesPageQueryVariables>(/* GraphQL */ `
  query RulesPage($slug: String!) {
    village(slug: $slug) {
      name
      slug
    }
    redFlagRules(regionSlug: $slug) {
      current {
        ...RuleSetFields
      }
      history {
        ...RuleSetFields
      }
    }
    regions {
      name
      slug
      children {
        name
        slug
        children {
          name
          slug
        }
      }
    }
  }
  ${RULE_SET_FIELDS}
`);

/**
 * A committee's month (signed in: sent with graphqlAs): its state, and for review the month exactly as it would be
 * published (statement, every voucher with its lines, red flags with answers), the supervisors' decisions and what
 * still keeps it from publication.
 */
export const CommitteeMonthPage = q<G.CommitteeMonthPageQuery, G.CommitteeMonthPageQueryVariables>(/* GraphQL */ `
  query CommitteeMonthPage($v: String!, $y: Int!, $m: Int!, $after: String) {
    village(slug: $v) {
      name
    }
    me {
      roles {
        role
        villageSlug
      }
    }
    committeeMonth(villageSlug: $v, year: $y, month: $m) {
      status
      revision
      reason
      voucherCount
      lineCount
      comments {
        author
        body
        createdAt
      }
      flags {
        voucherNumber
        author
        reason
        createdAt
      }
      approval {
        by
        at
        note
      }
      attachments {
        id
        voucherNumber
        kind
        sha256
        width
        height
        confirmed
        confirmedBy
        previewThumbnailUrl
        thumbnailUrl
        redactions {
          page
          x
          y
          w
          h
        }
      }
      publishable
      blockers
      reviews {
        decision
        note
        reviewer
        createdAt
        revision
        current
      }
      redFlags {
        ...RedFlagFields
      }
      statement {
        revision
        reconciled
        openingBalance {
          yuan
        }
        closingBalance {
          yuan
        }
        income {
          yuan
        }
        spending {
          yuan
        }
        byCategory {
          code
          name
          kind
          amount {
            yuan
          }
        }
        changes {
          voucherNumber
          kind
          summaryBefore
          summaryAfter
          amountBefore {
            yuan
          }
          amountAfter {
            yuan
          }
        }
      }
      vouchers(first: 50, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          number
          date
          summary
          attachmentsCount
          total {
            yuan
          }
          approvals {
            role
            name
          }
          lines {
            lineNo
            side
            summary
            paymentMethod
            amount {
              yuan
            }
            account {
              code
              name
            }
            counterparty {
              name
            }
          }
        }
      }
    }
  }
  ${RED_FLAG_FIELDS}
`);

/** A township admin's overview: every village's months in the town and where each stands in review. */
export const TownReviewPage = q<G.TownReviewPageQuery, G.TownReviewPageQueryVariables>(/* GraphQL */ `
  query TownReviewPage($slug: String!) {
    townReview(regionSlug: $slug) {
      region {
        name
        slug
      }
      overdueQuestions {
        village {
          name
          slug
        }
        question {
          ...QuestionFields
        }
      }
      months {
        village {
          name
          slug
        }
        year
        month
        state
        submittedAt
        reviewedAt
        redFlagCount
      }
    }
  }
  ${QUESTION_FIELDS}
`);

/** /v/{slug}/questions: one page of a village's questions, newest first, optionally by status; or one by its number. */
export const QuestionsPage = q<G.QuestionsPageQuery, G.QuestionsPageQueryVariables>(/* GraphQL */ `
  query QuestionsPage($slug: String!, $status: QuestionStatus, $after: String, $first: Int) {
    village(slug: $slug) {
      name
      slug
      questionDueDays
      town {
        name
        slug
      }
      questionRecord {
        months
        asked
        answeredOnTime
        answeredLate
        open
        overdue
      }
      questions(first: $first, after: $after, status: $status) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...QuestionFields
        }
      }
    }
  }
  ${QUESTION_FIELDS}
`);

/** /v/{slug}/questions/{number}: one question, with what it is about. */
export const QuestionPage = q<G.QuestionPageQuery, G.QuestionPageQueryVariables>(/* GraphQL */ `
  query QuestionPage($slug: String!, $number: String!) {
    village(slug: $slug) {
      name
      slug
      town {
        name
        slug
      }
      question(number: $number) {
        ...QuestionFields
      }
    }
  }
  ${QUESTION_FIELDS}
`);

/** The ask form's page: the village, and what the question is about (to name it above the form). */
export const AskPage = q<G.AskPageQuery, G.AskPageQueryVariables>(/* GraphQL */ `
  query AskPage($slug: String!) {
    village(slug: $slug) {
      name
      slug
      questionDueDays
    }
  }
`);

/** Sent on the visitor's behalf (graphqlAs without a session: the API counts the visitor's address, not the portal). */
export const AskQuestion = q<G.AskQuestionMutation, G.AskQuestionMutationVariables>(/* GraphQL */ `
  mutation AskQuestion($input: AskQuestionInput!) {
    askQuestion(input: $input) {
      number
      dueAt
      url
      duplicate
    }
  }
`);

/** /v/{slug}/feed.xml: the village's publications (new months and corrections) and its questions and answers. */
export const VillageFeed = q<G.VillageFeedQuery, G.VillageFeedQueryVariables>(/* GraphQL */ `
  query VillageFeed($slug: String!) {
    village(slug: $slug) {
      name
      slug
      town {
        name
      }
      periods(first: 24) {
        nodes {
          year
          month
          statement {
            revisions {
              revision
              reason
              publishedAt
              digest
            }
          }
        }
      }
      questions(first: 50) {
        nodes {
          ...QuestionFields
        }
      }
    }
  }
  ${QUESTION_FIELDS}
`);

/**
 * /r/{slug}/feed.xml: the newest publications of the region's villages and each village's newest questions (the API
 * has no Region.questions yet: asked for in docs ISSUE15 "Requests from portal").
 */
export const RegionFeed = q<G.RegionFeedQuery, G.RegionFeedQueryVariables>(/* GraphQL */ `
  query RegionFeed($slug: String!) {
    region(slug: $slug) {
      name
      slug
      villages(first: 100) {
        nodes {
          name
          slug
          questions(first: 5) {
            nodes {
              ...QuestionFields
            }
          }
        }
      }
    }
    statements(regionSlug: $slug, last: 50) {
      nodes {
        year
        month
        revision
        reason
        publishedAt
        digest
        village {
          name
          slug
        }
      }
    }
  }
  ${QUESTION_FIELDS}
`);

/** The committee's questions page (signed in): each question with the text as asked and the masked contact. */
export const CommitteeQuestionsPage = q<G.CommitteeQuestionsPageQuery, G.CommitteeQuestionsPageQueryVariables>(
  /* GraphQL */ `
    query CommitteeQuestionsPage($v: String!, $status: QuestionStatus) {
      village(slug: $v) {
        name
        slug
      }
      me {
        roles {
          role
          villageSlug
        }
      }
      committeeQuestions(villageSlug: $v, status: $status) {
        bodyAsked
        contactMasked
        hiddenText
        question {
          ...QuestionFields
        }
      }
    }
    ${QUESTION_FIELDS}
  `,
);

/** The committee's attachments page: every attachment of the month being prepared, its redaction and confirmation. */
export const CommitteeAttachmentsPage = q<G.CommitteeAttachmentsPageQuery, G.CommitteeAttachmentsPageQueryVariables>(
  /* GraphQL */ `
    query CommitteeAttachmentsPage($v: String!, $y: Int!, $m: Int!) {
      village(slug: $v) {
        name
      }
      me {
        username
        roles {
          role
          villageSlug
        }
      }
      committeeMonth(villageSlug: $v, year: $y, month: $m) {
        status
        revision
        publishable
        blockers
        attachments {
          id
          kind
          filename
          voucherNumber
          sha256
          mediaType
          width
          height
          url
          thumbnailUrl
          thumbnailWidth
          thumbnailHeight
          pages
          previewUrl
          previewThumbnailUrl
          previewPageUrls
          pageUrls
          redactions {
            page
            x
            y
            w
            h
          }
          uploadedBy
          uploadedAt
          confirmed
          confirmedBy
          confirmedAt
        }
        vouchers(first: 100) {
          totalCount
          nodes {
            number
            summary
            total {
              yuan
            }
          }
        }
      }
    }
  `,
);
