//! Cloud control planes: AWS API calls (CloudTrail), Azure activity log operations, Okta
//! system log events and Google Cloud audit log methods, weighted the way a working
//! organisation's automation and people produce them (reads dominate).

/// An AWS API call: (service endpoint, action, weight, read only, request parameters template).
pub(crate) const AWS_CALLS: &[(&str, &str, u32, bool, &str)] = &[
    ("ec2.amazonaws.com", "DescribeInstances", 30, true, "{instancesSet={}, filterSet={}}"),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", 10, true, "{securityGroupSet={}, filterSet={}}"),
    ("ec2.amazonaws.com", "DescribeVolumes", 8, true, "{volumeSet={}, filterSet={}}"),
    ("ec2.amazonaws.com", "DescribeInstanceStatus", 10, true, "{instancesSet={}, filterSet={}, includeAllInstances=false}"),
    ("ec2.amazonaws.com", "CreateTags", 2, false, "{resourcesSet={items=[{resourceId=i-{hex17}}]}, tagSet={items=[{key=owner, value={user}}]}}"),
    ("ec2.amazonaws.com", "RunInstances", 1, false, "{instancesSet={items=[{imageId=ami-{hex17}, minCount=1, maxCount=1}]}, instanceType=t3.medium}"),
    ("s3.amazonaws.com", "GetObject", 25, true, "{bucketName=prod-app-assets, Host=prod-app-assets.s3.us-east-1.amazonaws.com, key=static/{word}/{hex8}.js}"),
    ("s3.amazonaws.com", "PutObject", 10, false, "{bucketName=corp-backups, Host=corp-backups.s3.us-east-1.amazonaws.com, key=db/{date}/{hex8}.dump.gz}"),
    ("s3.amazonaws.com", "ListObjects", 6, true, "{bucketName=corp-backups, Host=corp-backups.s3.us-east-1.amazonaws.com, prefix=db/, list-type=2}"),
    ("s3.amazonaws.com", "GetBucketAcl", 3, true, "{bucketName=prod-app-assets, Host=prod-app-assets.s3.us-east-1.amazonaws.com, acl=}"),
    ("sts.amazonaws.com", "AssumeRole", 12, true, "{roleArn=arn:aws:iam::{account}:role/app-deploy, roleSessionName={user}-{n5}, durationSeconds=3600}"),
    ("sts.amazonaws.com", "GetCallerIdentity", 6, true, ""),
    ("iam.amazonaws.com", "GetUser", 3, true, "{userName={user}}"),
    ("iam.amazonaws.com", "ListRoles", 3, true, "{maxItems=100}"),
    ("iam.amazonaws.com", "ListAttachedRolePolicies", 3, true, "{roleName=app-deploy}"),
    ("iam.amazonaws.com", "GetRole", 3, true, "{roleName=app-server-role}"),
    ("kms.amazonaws.com", "Decrypt", 12, true, "{encryptionAlgorithm=SYMMETRIC_DEFAULT}"),
    ("kms.amazonaws.com", "GenerateDataKey", 6, true, "{keyId=alias/aws/s3, keySpec=AES_256}"),
    ("cloudtrail.amazonaws.com", "LookupEvents", 2, true, "{maxResults=50}"),
    ("cloudtrail.amazonaws.com", "DescribeTrails", 1, true, "{includeShadowTrails=true}"),
    ("logs.amazonaws.com", "CreateLogStream", 4, false, "{logGroupName=/aws/lambda/{word}-handler, logStreamName={date}/[$LATEST]{hex16}}"),
    ("lambda.amazonaws.com", "ListFunctions20150331", 2, true, ""),
    ("rds.amazonaws.com", "DescribeDBInstances", 3, true, "{}"),
    ("monitoring.amazonaws.com", "GetMetricData", 8, true, "{startTime={date}T00:00:00Z, endTime={date}T01:00:00Z}"),
    ("signin.amazonaws.com", "ConsoleLogin", 2, false, ""),
];

/// The AWS regions in use, most traffic in the first.
pub(crate) const AWS_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-1",
    "us-east-1",
    "us-west-2",
    "eu-west-1",
];

/// AWS client user agents.
pub(crate) const AWS_AGENTS: &[&str] = &[
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.151.0",
    "Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.51.6 (go1.22.1; linux; amd64)",
    "console.amazonaws.com",
    "aws-internal/3 aws-sdk-java/1.12.672 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard",
];

/// Azure activity log operations: (operation name, weight, category).
pub(crate) const AZURE_OPS: &[(&str, u32, &str)] = &[
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/READ",
        20,
        "Administrative",
    ),
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE",
        3,
        "Administrative",
    ),
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION",
        2,
        "Administrative",
    ),
    (
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION",
        2,
        "Administrative",
    ),
    (
        "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
        3,
        "Administrative",
    ),
    (
        "MICROSOFT.STORAGE/STORAGEACCOUNTS/READ",
        8,
        "Administrative",
    ),
    (
        "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/READ",
        6,
        "Administrative",
    ),
    ("MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE", 2, "Administrative"),
    (
        "MICROSOFT.RESOURCES/DEPLOYMENTS/VALIDATE/ACTION",
        2,
        "Administrative",
    ),
    ("MICROSOFT.INSIGHTS/METRICALERTS/WRITE", 1, "Administrative"),
    ("MICROSOFT.KEYVAULT/VAULTS/READ", 4, "Administrative"),
    (
        "MICROSOFT.WEB/SITES/CONFIG/LIST/ACTION",
        2,
        "Administrative",
    ),
    ("MICROSOFT.SQL/SERVERS/DATABASES/READ", 4, "Administrative"),
];

/// Azure resources: (provider, type, name, group).
pub(crate) const AZURE_RESOURCES: &[(&str, &str, &str, &str)] = &[
    (
        "MICROSOFT.COMPUTE",
        "VIRTUALMACHINES",
        "VM-APP-01",
        "RG-PROD-APP",
    ),
    (
        "MICROSOFT.COMPUTE",
        "VIRTUALMACHINES",
        "VM-BUILD-02",
        "RG-CI",
    ),
    (
        "MICROSOFT.STORAGE",
        "STORAGEACCOUNTS",
        "STCORPLOGS01",
        "RG-SHARED",
    ),
    (
        "MICROSOFT.NETWORK",
        "NETWORKSECURITYGROUPS",
        "NSG-PROD-WEB",
        "RG-PROD-APP",
    ),
    (
        "MICROSOFT.KEYVAULT",
        "VAULTS",
        "KV-PROD-SECRETS",
        "RG-SHARED",
    ),
    ("MICROSOFT.WEB", "SITES", "APP-PORTAL", "RG-PROD-APP"),
    ("MICROSOFT.SQL", "SERVERS", "SQL-PROD-01", "RG-DATA"),
];

/// Okta system log events: (event type, weight, display message, categories).
pub(crate) const OKTA_EVENTS: &[(&str, u32, &str, &[&str])] = &[
    (
        "user.session.start",
        20,
        "User login to Okta",
        &["authentication", "session"],
    ),
    (
        "user.authentication.sso",
        30,
        "User single sign on to app",
        &["authentication"],
    ),
    (
        "user.authentication.verify",
        10,
        "Verify user identity",
        &["authentication"],
    ),
    (
        "user.authentication.auth_via_mfa",
        12,
        "Authentication of user via MFA",
        &["authentication"],
    ),
    (
        "policy.evaluate_sign_on",
        20,
        "Evaluation of sign-on policy",
        &["authentication"],
    ),
    (
        "user.session.end",
        6,
        "User logout from Okta",
        &["authentication", "session"],
    ),
    (
        "app.oauth2.as.token.grant.access_token",
        8,
        "OAuth2 access token is granted",
        &["authentication"],
    ),
    (
        "user.account.update_profile",
        1,
        "Update user profile for Okta",
        &["iam"],
    ),
];

/// Okta application targets.
pub(crate) const OKTA_APPS: &[&str] = &[
    "Salesforce",
    "Slack",
    "Atlassian Cloud",
    "Zoom",
    "AWS Account Federation",
    "Google Workspace",
    "Workday",
];

/// Browser user agents of employees.
pub(crate) const BROWSER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Okta Verify/9.31.0",
];

/// Google Cloud audit methods: (service, method, weight, read only).
pub(crate) const GCP_METHODS: &[(&str, &str, u32, bool)] = &[
    (
        "compute.googleapis.com",
        "v1.compute.instances.list",
        15,
        true,
    ),
    (
        "compute.googleapis.com",
        "v1.compute.instances.get",
        10,
        true,
    ),
    (
        "compute.googleapis.com",
        "v1.compute.instances.setMetadata",
        1,
        false,
    ),
    ("storage.googleapis.com", "storage.objects.get", 15, true),
    ("storage.googleapis.com", "storage.objects.create", 6, false),
    ("storage.googleapis.com", "storage.buckets.list", 4, true),
    (
        "iam.googleapis.com",
        "google.iam.admin.v1.ListServiceAccounts",
        3,
        true,
    ),
    (
        "cloudresourcemanager.googleapis.com",
        "GetIamPolicy",
        4,
        true,
    ),
    (
        "container.googleapis.com",
        "google.container.v1.ClusterManager.GetCluster",
        5,
        true,
    ),
    (
        "bigquery.googleapis.com",
        "google.cloud.bigquery.v2.JobService.InsertJob",
        6,
        false,
    ),
];

/// The Google Cloud projects in use.
pub(crate) const GCP_PROJECTS: &[&str] = &[
    "corp-analytics-prod",
    "corp-ml-sandbox",
    "corp-shared-infra",
];
