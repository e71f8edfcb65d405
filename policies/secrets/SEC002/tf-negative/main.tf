variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "orders" {
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
  username          = "orders"
  password          = var.db_password
}

resource "aws_db_instance" "reports" {
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "reports"
  manage_master_user_password = true
}

resource "aws_ssm_parameter" "token" {
  name  = "/orders/prod/api-token"
  type  = "SecureString"
  value = var.db_password
}

resource "aws_ssm_parameter" "endpoint" {
  name  = "/orders/prod/endpoint"
  type  = "String"
  value = "https://orders.internal.example.org"
}
