resource "aws_db_instance" "orders" {
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
  username          = "orders"
  # ruleid: SEC002
  password          = "Pg-0rders!2024x"
}

resource "aws_ssm_parameter" "legacy" {
  name  = "/orders/prod/api-token"
  type  = "String"
  # ruleid: SEC002
  value = "7hQ2-mZ9x-Lp4W-r8Kt"
}

resource "aws_amplify_app" "site" {
  name       = "site"
  repository = "https://github.com/example/site"
  # ruleid: SEC002
  oauth_token = "ghp_Rm4Ty8Pz2Kw6Vx1Nb5Qc9Ls3Hd7Jf0Ga4SqUe"
}
