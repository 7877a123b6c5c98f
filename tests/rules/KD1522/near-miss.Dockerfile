FROM maven:3.9-eclipse-temurin-21 AS build
RUN mvn -B package
FROM maven:3.9-eclipse-temurin-21
RUN mvn -B package && rm -rf /root/.m2/repository
RUN --mount=type=cache,target=/root/.gradle ./gradlew build
RUN mvn -v
