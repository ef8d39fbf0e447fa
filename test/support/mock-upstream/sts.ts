/**
 * AWS STS GetCallerIdentity (awsQuery protocol, what @aws-sdk/client-sts sends): POST with
 * form body `Action=GetCallerIdentity&Version=2011-06-15`, XML answers.
 */
import { type MockAnswer, randomId } from './answer';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const MOCK_AWS_ACCOUNT = '123456789012';

function xml(status: number, body: string): MockAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() },
    body,
  };
}

function requestId(): string {
  const h = randomId(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** True when the form body asks for GetCallerIdentity at the 2011-06-15 API version. */
export function isGetCallerIdentity(body: string): boolean {
  const form = new URLSearchParams(body);
  return form.get('Action') === 'GetCallerIdentity' && form.get('Version') === '2011-06-15';
}

export function stsCallerIdentityAnswer(accessKeyId: string): MockAnswer {
  // A real UserId is AIDA + 17 chars; derived from the access key id so it is stable per key.
  const userId = `AIDA${accessKeyId.slice(4).padEnd(17, 'X').slice(0, 17)}`;
  return xml(
    200,
    `<GetCallerIdentityResponse xmlns="${XMLNS}">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::${MOCK_AWS_ACCOUNT}:user/test</Arn>
    <UserId>${userId}</UserId>
    <Account>${MOCK_AWS_ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${requestId()}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`,
  );
}

/** Query-protocol error document (`<ErrorResponse><Error><Type>…`). */
export function stsErrorAnswer(
  status: number,
  code: string,
  message: string,
  type: 'Sender' | 'Receiver' = 'Sender',
): MockAnswer {
  return xml(
    status,
    `<ErrorResponse xmlns="${XMLNS}">
  <Error>
    <Type>${type}</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>${requestId()}</RequestId>
</ErrorResponse>
`,
  );
}
